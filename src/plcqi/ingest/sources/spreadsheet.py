"""A TA tracker spreadsheet (SOURCES.md, TA requests): an ``.xlsx`` workbook or a CSV saved
from one, whose headings are the center's own.

Headings become the contract's columns through the documented mapping, ``COLUMNS.csv``
(``source,column``) in the export's folder or one above it; a heading that already is a
contract column name stands for itself. A heading that maps to nothing is listed in
``Adapted.unmapped`` and not loaded (a tracker's "Contact name" or "Notes" may hold personal
data). The workbook's first sheet is read; its header is the first non-empty row, and a row
number is the spreadsheet's own (the CSV's physical line). Dates may be real Excel dates or
text; either is local time (``TIMEZONE``), converted to UTC. Every row is a change row of the
tracker: the contract's checks and change-row rules apply to them unchanged.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected, remove_controls
from plcqi.ingest.sources.base import (
    DATETIME_EXAMPLES,
    MAPPING_FILE,
    Adapted,
    Context,
    Layout,
    head_lines,
    iso,
    norm,
    records,
)

NAME = "tracker_spreadsheet"
XLSX_TITLE = "TA tracker spreadsheet (.xlsx)"
CSV_TITLE = "TA tracker CSV with a COLUMNS.csv mapping"
_ZIP = "PK\x03\x04"


class BadCell(ValueError):
    """A cell that cannot be a contract value; the message says why, in plain words."""


def _targets(headings: list[str], ctx: Context) -> tuple[dict[int, str], list[str]]:
    """Each heading's contract column (by position) and the headings that map to none."""
    names = {c.name for c in contract.contract_columns(ctx.dataset)}
    mapping = ctx.mapping
    targets: dict[int, str] = {}
    unmapped: list[str] = []
    for i, heading in enumerate(headings):
        key = norm(heading)
        if not key:
            continue
        column = mapping.get(key) or (key if key in names else None)
        if column is None:
            unmapped.append(heading.strip())
        elif column in targets.values():
            first = headings[next(j for j, c in targets.items() if c == column)].strip()
            raise FileRejected(
                f"{ctx.rel}: the headings {first!r} and {heading.strip()!r} both stand for "
                f"{column}; map only one of them in {MAPPING_FILE}"
            )
        else:
            targets[i] = column
    return targets, unmapped


def _missing(targets: dict[int, str], ctx: Context) -> list[str]:
    return [c for c in ctx.dataset.required if c not in targets.values()]


def _blank(cells: list) -> bool:
    return all(c is None or not str(c).strip() for c in cells)


def _header_at(rows: list[tuple[int, list]]) -> int | None:
    """Where the header is: the first row that is not empty."""
    return next((i for i, (_, cells) in enumerate(rows) if not _blank(cells)), None)


def sniff_xlsx(text: str) -> tuple[int, list[str]]:
    """A workbook: a zip container holding ``xl/workbook.xml`` (read as latin-1 text)."""
    is_zip = text.startswith(_ZIP)
    checks = (
        ("a zip container", is_zip),
        ("xl/workbook.xml", is_zip and "xl/workbook.xml" in text),
    )
    lacks = [mark for mark, ok in checks if not ok]
    return len(checks) - len(lacks), lacks


def sniff_csv(text: str, ctx: Context | None) -> tuple[int, list[str]]:
    """A CSV whose headings, through the mapping, hold every required column."""
    if ctx is None or not ctx.mapping:
        return 0, [f"a {MAPPING_FILE} mapping in its folder or one above it"]
    lines = records("\n".join(head_lines(text, 40)))
    at = _header_at([(ln.number, ln.cells) for ln in lines])
    headings = lines[at].cells if at is not None else []
    targets, _ = _targets(headings, ctx)
    missing = _missing(targets, ctx)
    covered = len(ctx.dataset.required) - len(missing)
    return 1 + covered, [f"a heading mapped to {c}" for c in missing]


def _datetime_text(value: object, ctx: Context, epoch: datetime | None) -> str:
    """A date-time cell as the contract's UTC text: an Excel date or a serial number in the
    workbook's epoch, or text in an accepted format; local time in ``ctx.timezone``."""
    if isinstance(value, time):
        raise BadCell(f"{value} is a time of day without a date")
    if isinstance(value, int | float) and not isinstance(value, bool) and epoch is not None:
        try:
            value = from_excel(value, epoch=epoch)
        except (OverflowError, ValueError):
            raise BadCell(f"{value} is not a date: no Excel date has this serial number") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=ctx.timezone)
        return iso(local)
    text = str(value).strip()
    parsed = ctx.datetime(text)
    if parsed is None:
        raise BadCell(f"{text!r} is not a date-time plcqi reads (expected {DATETIME_EXAMPLES})")
    return iso(parsed)


def _plain_text(value: object) -> str:
    """Any other cell as text: whole numbers without a decimal point (a request number typed
    as 1042 is read back as 1042.0), booleans as true/false, dates as ISO."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _value(value: object, column: str, ctx: Context, epoch: datetime | None) -> str | None:
    """A cell as the text of its contract column (None when empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if ctx.dataset.column(column).type == contract.DATETIME:
        return _datetime_text(value, ctx, epoch)
    return _plain_text(value)


def _rows(
    rows: list[tuple[int, list]], ctx: Context, layout: str, epoch: datetime | None = None
) -> Adapted:
    """Spreadsheet rows (number, cells) as contract rows, from the first non-empty row on."""
    out = Adapted(layout)
    at = _header_at(rows)
    if at is None:
        raise FileRejected(f"{ctx.rel}: the spreadsheet is empty (no header row)")
    headings = ["" if c is None else _plain_text(c) for c in rows[at][1]]
    targets, out.unmapped = _targets(headings, ctx)
    missing = _missing(targets, ctx)
    if missing:
        raise FileRejected(
            f"{ctx.rel}: no heading of the spreadsheet stands for {', '.join(missing)} "
            f"(its headings: {', '.join(h.strip() for h in headings if h.strip())}); name the "
            f"contract column of each heading in a {MAPPING_FILE} (source,column) beside it"
        )
    for number, cells in rows[at + 1 :]:
        if _blank(cells):
            continue
        row: dict[str, str | None] = {"_row": number}
        for i, column in targets.items():
            try:
                value = _value(cells[i] if i < len(cells) else None, column, ctx, epoch)
            except BadCell as e:
                out.reject(number, column, str(e))
                break
            if value is not None:  # a workbook's text is not decoded by plcqi.ingest.read
                value, removed = remove_controls(value)
                out.control_characters += removed
            row[column] = value
        else:
            out.rows.append(row)
    return out


# What openpyxl raises for a workbook it cannot read (a damaged or encrypted file): the sheets
# are parsed lazily, so reading the rows may raise them too.
_UNREADABLE = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    InvalidFileException,
    ElementTree.ParseError,
)


def _sheet(data: bytes, rel: str) -> tuple[list[tuple[int, list]], datetime]:
    """The first sheet's rows, numbered as the spreadsheet numbers them, and its epoch."""
    unreadable = FileRejected(
        f"{rel}: is an Excel workbook (.xlsx) that cannot be opened (damaged, or protected "
        "by a password): save it again as .xlsx without a password, or export it as CSV"
    )
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE:
        raise unreadable from None
    try:
        if not book.worksheets:
            raise FileRejected(f"{rel}: the workbook has no worksheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong used range; read every row
        rows = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
        return rows, book.epoch
    except _UNREADABLE:
        raise unreadable from None
    finally:
        book.close()


def adapt_xlsx(native: str, ctx: Context) -> Adapted:
    rows, epoch = _sheet(native.encode("latin-1"), ctx.rel)
    return _rows(rows, ctx, NAME, epoch)


def adapt_csv(native: str, ctx: Context) -> Adapted:
    return _rows([(ln.number, ln.cells) for ln in records(native)], ctx, NAME)


LAYOUTS: tuple[Layout, ...] = (
    Layout(NAME, XLSX_TITLE, ("ta_requests",), sniff_xlsx, adapt_xlsx, binary=True),
    Layout(NAME, CSV_TITLE, ("ta_requests",), sniff_csv, adapt_csv, contextual=True),
)
