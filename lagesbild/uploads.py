"""What an upload may be: its size and, per upload, which kinds of file are accepted."""
from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from .formatting import number
from .problems import InputError, Problem

# The same limit as server.maxUploadSize in .streamlit/config.toml (MB): the server refuses larger
# uploads before they arrive, and this check refuses them wherever else bytes come from.
MAX_UPLOAD_MB = 200
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024

# What a file may unpack to before it is read at all: a small file can hold millions of rows (Parquet and
# .xlsx are compressed), and reading them would take the server's memory from everyone else.
MAX_ROWS = {"respondents": 2_000_000, "import": 1_000_000, "places": 200_000}
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

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


def check_contents(file_name: str, data: bytes, kind: str, max_rows: int | None = None,
                   max_unpacked: int = MAX_UNPACKED_BYTES) -> None:
    """Refuse, before reading, a file whose rows or unpacked size are beyond the limits; InputError in Swedish.

    Parquet: the row count and uncompressed size from its metadata. Excel (.xlsx) and zip: the unpacked
    size of their parts. Text: the number of lines.
    """
    limit = MAX_ROWS[kind] if max_rows is None else max_rows
    suffix = PurePath(file_name).suffix.lower().lstrip(".")
    rows, unpacked = None, None
    try:
        if suffix == "parquet":
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(io.BytesIO(data)).metadata
            rows = meta.num_rows
            unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        elif suffix in ("xlsx", "zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        else:
            rows = data.count(b"\n")
    except Exception:  # noqa: BLE001 - a file that cannot be opened is the reader's to name
        return
    problems = []
    if rows is not None and rows > limit:
        problems.append(Problem(file_name, f"filen har {number(rows)} rader; högst {number(limit)} tas emot"))
    if unpacked is not None and unpacked > max_unpacked:
        problems.append(Problem(file_name, f"filen packas upp till {number(unpacked / 1024 / 1024)} MB; högst "
                                           f"{number(max_unpacked / 1024 / 1024)} MB tas emot"))
    if problems:
        raise InputError(problems)
