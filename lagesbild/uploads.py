"""What an upload may be: its size and, per upload, which kinds of file are accepted."""
from __future__ import annotations

from pathlib import PurePath

from .formatting import number
from .problems import InputError, Problem

# The same limit as server.maxUploadSize in .streamlit/config.toml (MB): the server refuses larger
# uploads before they arrive, and this check refuses them wherever else bytes come from.
MAX_UPLOAD_MB = 200
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

# Which file endings each upload takes.
ACCEPTED = {
    "import": ("csv", "txt", "xlsx", "geojson", "json", "zip"),
    "places": ("geojson", "json", "csv", "txt", "xlsx"),
    "respondents": ("csv", "txt", "xlsx", "parquet"),
}


def check_upload(file_name: str, data: bytes | int, kind: str, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Return quietly when the file is of an accepted kind and size; raise InputError in Swedish otherwise."""
    size = data if isinstance(data, int) else len(data)  # bytes, or only their count
    problems = []
    suffix = PurePath(file_name).suffix.lower().lstrip(".")
    if suffix not in ACCEPTED[kind]:
        problems.append(Problem(file_name, f'filtypen ".{suffix}" tas inte emot här '
                                           f"(tillåtna: {', '.join('.' + s for s in ACCEPTED[kind])})"))
    if size > max_bytes:
        problems.append(Problem(file_name, f"filen är {number(size / 1024 / 1024, 1)} MB; största tillåtna "
                                           f"storlek är {number(max_bytes / 1024 / 1024)} MB"))
    if problems:
        raise InputError(problems)
