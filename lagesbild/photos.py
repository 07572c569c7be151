"""Photos sent in from the field: checked, turned upright, resized and stripped of EXIF (GPS, device) as JPEG bytes."""
from __future__ import annotations

import functools
import importlib.util
import io
import warnings

from .problems import InputError, Problem

# HEIC (iPhone photos) needs pillow-heif; without it HEIC is refused with a Swedish message.
HEIC = importlib.util.find_spec("pillow_heif") is not None

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000  # a 60-megapixel phone photo; more is a decompression bomb, not a photo
LONGEST_SIDE = 1600
QUALITY = 85
MAX_PHOTOS = 5
FORMATS = {"JPEG", "PNG", "MPO"} | ({"HEIF"} if HEIC else set())


@functools.cache
def _pillow():
    """Pillow, with the HEIC opener registered: loaded at the first photo, not by every page that imports the tables."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if HEIC:
        import pillow_heif

        pillow_heif.register_heif_opener()
    return Image, ImageOps, UnidentifiedImageError


def prepare(file_name: str, data: bytes) -> bytes:
    """The photo as a JPEG at most LONGEST_SIDE pixels wide or high, without any EXIF; raises InputError in Swedish."""
    Image, ImageOps, UnidentifiedImageError = _pillow()
    if len(data) > MAX_BYTES:
        raise InputError([Problem(file_name, f"bilden är {len(data) / 1024 / 1024:.0f} MB; högst "
                                             f"{MAX_BYTES // 1024 // 1024} MB tas emot".replace(".", ","))])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format
            if image.width * image.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError):
        raise InputError([Problem(file_name, _unreadable(file_name))]) from None
    if kind not in FORMATS:
        raise InputError([Problem(file_name, _unreadable(file_name))])
    # Turned by its orientation tag first, because the tag goes with the rest of the EXIF.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    # A fresh image carries pixels only: no EXIF, GPS, XMP, ICC or maker notes can follow it.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _unreadable(file_name: str) -> str:
    accepted = "JPEG, PNG eller HEIC" if HEIC else "JPEG eller PNG (HEIC kan inte läsas på den här servern)"
    if file_name.lower().endswith((".heic", ".heif")) and not HEIC:
        return "HEIC-bilder kan inte läsas på den här servern; spara bilden som JPEG och skicka den igen"
    return f"filen går inte att läsa som en bild; skicka en bild i {accepted}"
