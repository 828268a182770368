"""Checking an .xlsx file's zip archive before openpyxl unpacks it: a zip bomb or a damaged file is refused in plain words.

An .xlsx file is a zip of XML parts and openpyxl unpacks every part into memory, so a 4.6 MB
file whose one sheet unpacks to 1.35 GB ran ``kloe import`` for minutes into a MemoryError.
The sizes an archive declares bound what Python's zipfile ever unpacks (it stops at a part's
declared size and then checks its CRC), so the parts' count and declared sizes are checked
first, then every part is unpacked once, a chunk at a time, so a cut-short or damaged file
is named here rather than as an openpyxl traceback.

The limits are far above a real workbook: a filled-in template of the largest bundled
framework (wao-housing, 50 KLOEs, every text column, verdict and action filled) is 49 parts that
unpack to 0.67 MB, each part at most about 8 times its packed size; one with all its cells at
Excel's 32,767-character limit would unpack to about 25 MB.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from kloe_nb.errors import InvalidInputError, Problem

MAX_PARTS = 1_000
"""Most parts (files inside the zip) a workbook may have; a template has 20-41."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""Most bytes a workbook's parts may unpack to, all together."""
MAX_RATIO = 100
"""Most times a part over ``RATIO_FROM_BYTES`` may unpack to its packed size; a template's parts are under 10."""
RATIO_FROM_BYTES = 1024 * 1024
_CHUNK = 1 << 20


def _refuse(path: Path, message: str) -> InvalidInputError:
    return InvalidInputError(str(path), [Problem(str(path), "", message)])


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def check_archive(path: Path, data: bytes) -> None:
    """Refuse ``data`` (the bytes of ``path``) unless it is a whole zip archive of a size a workbook can be."""
    if not data:
        raise _refuse(path, "is empty (0 bytes); it is not an Excel workbook: export or save it again")
    if not data.startswith(b"PK"):
        raise _refuse(
            path,
            "is not an Excel workbook (.xlsx): an .xlsx file is a zip archive and this one is not "
            "(a CSV, web page or text file renamed .xlsx?); open it in Excel and save it as an Excel Workbook (.xlsx)",
        )
    damaged = "is damaged or cut short (was it copied or downloaded completely?): copy it again, or open it in Excel and save it again"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise _refuse(path, f"{damaged} (the zip archive cannot be opened: {error})") from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise _refuse(
                path,
                f"has {len(parts):,} parts inside its zip archive; a workbook has at most {MAX_PARTS:,} (a template has about 50): is this the right file?",
            )
        unpacked = sum(part.file_size for part in parts)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse(
                path,
                f"unpacks to {_megabytes(unpacked)} from {_megabytes(len(data))}; the limit for an assessment workbook is "
                f"{_megabytes(MAX_UNPACKED_BYTES)} (a filled-in template unpacks to under 1 MB): is this the right file? "
                "Nothing was read",
            )
        for part in parts:
            if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise _refuse(
                    path,
                    f"holds the part {part.filename} that unpacks {part.file_size // max(part.compress_size, 1):,} times over "
                    f"({_megabytes(part.compress_size)} to {_megabytes(part.file_size)}); a workbook's parts unpack at most "
                    f"{MAX_RATIO} times over: this file is built to exhaust memory (a zip bomb), not saved by Excel. Nothing was read",
                )
        for part in parts:
            try:
                with archive.open(part) as stream:
                    while stream.read(_CHUNK):
                        pass
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
                raise _refuse(path, f"{damaged} (its part {part.filename} cannot be unpacked: {error})") from None
