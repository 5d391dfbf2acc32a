"""Reading a landing file's bytes as text, and a contract CSV as text cells.

Every landing file goes through ``decode`` (the encodings INPUTS.md accepts, line ends, and a
plain rejection of what is not text: a workbook, a PDF, an archive, UTF-16 without a
byte-order mark), then ``remove_controls`` (control characters out, counted). A contract CSV
is then parsed once by Arrow's multithreaded CSV reader, every cell as text
(``read_text_csv``); a native export is converted to the same ``Parsed`` by
``plcqi.ingest.sources``. Either way ``check_quotes`` rejects a quoted value left open, naming
the line where it opened, and ``limit_cells`` quarantines a row with a cell over
``contract.MAX_CELL_CHARS``. Every rejection is a ``FileRejected`` whose message names the
file (and line) in plain words, never a parser's.
"""

from __future__ import annotations

import collections
import csv
import io
import re
import sys
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from plcqi.ingest import contract

# The csv module refuses cells over 128 KiB with its own error; cell sizes are checked by
# ``limit_cells`` instead, so a long cell quarantines its row rather than the whole file.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class FileRejected(Exception):
    """The file as a whole cannot be read as the contract; the message says why."""


@dataclass
class Parsed:
    names: list[str]  # normalized header
    table: pa.Table  # every column as text, plus _row
    # (row, column or None, reason): rows quarantined before the checks (ragged rows; rows a
    # native adapter could not convert; rows with a cell over the size limit)
    ragged: list[tuple[int, str | None, str]]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # native rows, not events
    layout: str = "contract"
    unmapped: list[str] = field(default_factory=list)  # native columns not used
    control_characters: int = 0  # removed from the file's text (INPUTS.md)
    people: list[str] = field(default_factory=list)  # full names in the file, for redaction


# --- bytes to text -----------------------------------------------------------------------

XLSX = "an Excel workbook (.xlsx)"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# What a binary file is, by its first bytes.
_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or other Office file"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"{\\rtf", "an RTF document"),
)
_ZIPS = (b"PK\x03\x04", b"PK\x05\x06")


def binary_kind(data: bytes) -> str | None:
    """What a file that is not text is (``XLSX`` for a workbook), or None for text.

    >>> binary_kind(b"%PDF-1.7 ..."), binary_kind(b"a,b\\n1,2\\n")
    ('a PDF document', None)
    """
    if data.startswith(_ZIPS):
        if b"xl/workbook" in data or b"xl/_rels" in data:
            return XLSX
        if b"word/" in data:
            return "a Word document (.docx)"
        return "a zip archive"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def not_csv(rel: str, kind: str) -> FileRejected:
    """The rejection of a binary file: what it is and what to land instead."""
    if "archive" in kind:
        return FileRejected(f"{rel}: is {kind}, not CSV: unpack it and land the CSV files it holds")
    return FileRejected(f"{rel}: is {kind}, not CSV: export it as CSV (UTF-8) and land that file")


def _utf16_without_bom(data: bytes) -> str | None:
    """'LE' or 'BE' when the file looks like UTF-16 text without a byte-order mark (every
    other byte zero, as ASCII text in UTF-16 is), else None."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 2:
        return None
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd > 0.3 and zero_even < 0.05:
        return "LE"
    if zero_even > 0.3 and zero_odd < 0.05:
        return "BE"
    return None


def _line_of(data: bytes, offset: int) -> int:
    """The physical line (CRLF, CR or LF ends a line) holding byte ``offset``."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def decode(data: bytes, rel: str) -> str:
    """The file's text: UTF-8 (a BOM is dropped) or UTF-16 with a BOM, with every line end
    (CRLF, CR or LF) as LF; else rejected whole with a plain message.

    CR-only line ends (old Mac and some Excel exports) are read as line ends, as every
    spreadsheet reads them, rather than rejected: the file is otherwise a good CSV.

    >>> decode(b"a,b\\r1,2\\r\\n3,4", "x.csv")
    'a,b\\n1,2\\n3,4'
    """
    kind = binary_kind(data)
    if kind:
        raise not_csv(rel, kind)
    if data.startswith(_UTF32_BOMS):
        raise FileRejected(
            f"{rel}: is UTF-32 text, which plcqi does not read: export the file as CSV UTF-8"
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as e:
                name = encoding.upper()
                raise FileRejected(
                    f"{rel}: starts like {name} text (it has a {name} byte-order mark) but byte "
                    f"offset {e.start + len(bom)} is not {name}; export the file as CSV UTF-8"
                ) from None
            break
    else:
        order = _utf16_without_bom(data)
        if order:
            raise FileRejected(
                f"{rel}: looks like UTF-16 {order} text without a byte-order mark (BOM); plcqi "
                "reads UTF-8, and UTF-16 only with a BOM: export the file as CSV UTF-8"
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise FileRejected(
                f"{rel}, line {_line_of(data, e.start)}: not UTF-8 text (byte 0x"
                f"{data[e.start]:02x} at offset {e.start} is not UTF-8); export the file as CSV "
                "UTF-8 (UTF-16 is read only with a byte-order mark)"
            ) from None
    text = text.lstrip("\ufeff")  # a second BOM, where files were joined
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# Control characters (INPUTS.md): C0 except tab and line feed, DEL, and the non-characters
# U+FFFE and U+FFFF. (Carriage returns are line ends, made line feeds by ``decode``.)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


def remove_controls(text: str) -> tuple[str, int]:
    """``text`` without control characters, and how many were removed.

    >>> remove_controls("Bell\\x07 and\\ttab\\n")
    ('Bell and\\ttab\\n', 1)
    """
    return _CONTROL.subn("", text)


def empty(rel: str) -> FileRejected:
    return FileRejected(f"{rel}: the file is empty (no header row)")


# --- quoted values left open -------------------------------------------------------------

# Skips what cannot leave a quote open: text without quotes, a quoted value closed on its own
# line and followed by a delimiter or the line end, and a quote inside an unquoted value
# (``5" screen``, read as a character). It stops at the quote opening any other value.
_SKIP = re.compile(r'(?:[^"]+|(?<![^,\n])"[^"\n]*(?:""[^"\n]*)*"(?=[,\n]|\Z)|(?<=[^,\n])")*')
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*("?)')


def _strictly_closed(text: str) -> bool:
    """Whether every quoted value is closed and followed by a delimiter or a line end (the
    csv module's strict mode, run in C: quick where nearly every value is quoted)."""
    try:
        collections.deque(csv.reader(io.StringIO(text, newline=""), strict=True), maxlen=0)
    except csv.Error:
        return False
    return True


def check_quotes(text: str, rel: str, start: int = 0) -> None:
    """Reject the file when a quoted value (from ``start`` on) is left open: never closed,
    or closed lines later by a quote in the middle of a value (a quote that was meant to open
    the next value), which would run the lines between into one value.

    A quoted value spanning lines and closed properly is a value with line breaks (survey
    comments have them); ``"a"b`` on one line is read as ``ab``, as spreadsheets read it.
    """
    first = text.find('"', start)
    if first < 0:
        return
    if text.count('"', first) * 20 > len(text) - first and _strictly_closed(text[start:]):
        return
    pos, end_of_text = start, len(text)
    while True:
        pos = _SKIP.match(text, pos).end()
        if pos >= end_of_text:
            return
        quoted = _QUOTED.match(text, pos)
        line = text.count("\n", 0, pos) + 1
        if not quoted.group(1):
            raise FileRejected(
                f"{rel}, line {line}: a quoted value opens on this line and is never closed, so "
                "every line after it would be read as part of it; add the closing quote (a "
                'quote inside a quoted value is written twice: "")'
            )
        end = quoted.end()
        if end < end_of_text and text[end] not in ",\n" and text.find("\n", pos, end) >= 0:
            closing = text.count("\n", 0, end) + 1
            raise FileRejected(
                f"{rel}, line {line}: a quoted value opens on this line and is not closed "
                f"before line {closing}, where a quote ends it in the middle of a value, so "
                f"lines {line} to {closing} would be read as one value; add the missing "
                f'closing quote on line {line} (a quote inside a quoted value is written twice: "")'
            )
        pos = end


# --- contract CSVs -------------------------------------------------------------------------


def header_names(text: str, rel: str) -> list[str]:
    """The header's column names, trimmed and lower-cased (an empty one named by its
    position), or the file rejected: no header, or a name repeated."""
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:  # pragma: no cover - the csv module's lenient mode does not raise here
        header = []
    if any("\n" in h for h in header):
        check_quotes(text, rel)
    names = [h.strip().lower() for h in header]
    if not any(names):
        raise FileRejected(f"{rel}, line 1: the first line is not a header (it is empty)")
    # an empty name is named by its position; "_row" is the row number every table gets
    names = [f"column_{i + 1}" if n in ("", "_row") else n for i, n in enumerate(names)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        where = "; ".join(
            f"{n} (columns {', '.join(str(i + 1) for i, m in enumerate(names) if m == n)})"
            for n in dupes
        )
        raise FileRejected(
            f"{rel}, line 1: the header repeats column names ({where}, compared ignoring "
            "case and spaces); give each column its own name"
        )
    return names


def read_text_csv(text: str, rel: str, ds: contract.Dataset) -> Parsed:
    """Parse a contract CSV (``decode``-d text) with every cell as text, or reject it whole."""
    if not text.strip():
        raise empty(rel)
    names = header_names(text, rel)
    missing = [c for c in ds.required if c not in names]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise FileRejected(
            f"{rel}: missing required column{plural} {', '.join(missing)} "
            f"({ds.name} files need {', '.join(ds.required)}; this one has {', '.join(names)})"
        )
    table = _arrow(text.encode("utf-8"), names)
    if table is None:
        return _read_slow(text, names, rel)
    if _any_line_break(table):
        check_quotes(text, rel)
    else:  # every record is one line: only the last one can hold an open quote
        check_quotes(text, rel, text.rfind("\n", 0, len(text.rstrip("\n"))) + 1)
    rows = pa.array(range(1, table.num_rows + 1), type=pa.int64())
    return Parsed(names, table.append_column("_row", rows), [])


def _arrow(data: bytes, names: list[str]) -> pa.Table | None:
    """Arrow's parse of every cell as text, or None where its fast path does not apply: a
    row of the wrong width (Arrow cannot number the rows around it) or a record longer than
    a block even when the whole file is one block."""
    blocks = [1 << 20] + ([len(data) + 1] if len(data) + 1 > 1 << 20 else [])
    for block in blocks:
        invalid: list = []

        def on_invalid(row, invalid=invalid) -> str:
            invalid.append(row)
            return "skip"

        try:
            table = pacsv.read_csv(
                io.BytesIO(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=on_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid:  # a record straddles blocks: try one block for the file
            continue
        return None if invalid else table
    return None


def _any_line_break(table: pa.Table) -> bool:
    return any(pc.any(pc.match_substring(col, "\n")).as_py() for col in table.columns)


def _read_slow(text: str, names: list[str], rel: str) -> Parsed:
    """Slow path for files with rows of the wrong width: number every record exactly."""
    columns: list[list[str]] = [[] for _ in names]
    numbers, ragged = [], []
    spans = False
    records = (r for r in csv.reader(io.StringIO(text, newline="")) if r)
    next(records)
    for i, record in enumerate(records, start=1):
        spans = spans or any("\n" in c for c in record)
        if len(record) != len(names):
            ragged.append((i, None, f"row has {len(record)} fields; the header has {len(names)}"))
            continue
        numbers.append(i)
        for col, value in zip(columns, record, strict=True):
            col.append(value)
    if spans:
        check_quotes(text, rel)
    else:
        check_quotes(text, rel, text.rfind("\n", 0, len(text.rstrip("\n"))) + 1)
    arrays = [pa.array(c, type=pa.string()) for c in columns] + [pa.array(numbers, pa.int64())]
    return Parsed(names, pa.table(arrays, names=[*names, "_row"]), ragged)


# --- cell size -----------------------------------------------------------------------------


def limit_cells(parsed: Parsed, columns: list[str], limit: int = contract.MAX_CELL_CHARS) -> Parsed:
    """Quarantine the rows holding a cell of ``columns`` (the ones that are loaded) longer
    than ``limit`` characters; the rest of the file loads, and the cell is not stored."""
    table = parsed.table
    too_long = None
    found: dict[int, tuple[str, int]] = {}
    for name in [n for n in parsed.names if n in columns]:
        lengths = pc.utf8_length(table[name])
        over = pc.fill_null(pc.greater(lengths, limit), False)
        if not pc.any(over).as_py():
            continue
        rows = table["_row"].filter(over).to_pylist()
        for row, n in zip(rows, lengths.filter(over).to_pylist(), strict=True):
            found.setdefault(row, (name, n))
        too_long = over if too_long is None else pc.or_(too_long, over)
    if too_long is None:
        return parsed
    parsed.table = table.filter(pc.invert(too_long))
    parsed.ragged += [
        (
            row,
            name,
            f"the value is {n:,} characters long, over the limit of {limit:,} characters a "
            "cell may hold",
        )
        for row, (name, n) in sorted(found.items())
    ]
    return parsed
