"""The TA tracker spreadsheet: a year's requests as an .xlsx workbook (the same bytes for the
same seed), with the folder's COLUMNS.csv and TIMEZONE."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date
from zoneinfo import ZoneInfo

from plcqi.generate.native.write import Ambiguous, NativeFile, csv_text, local, parse_ts
from plcqi.generate.tracker import COLUMNS

TRACKER_HEADINGS = (
    "Request #",
    "State / Tribe",
    "Date Submitted",
    "Topic",
    "Request Type",
    "Lead Center",
    "Related Opportunity",
    "Plan Status",
    "Last Updated",
)
TRACKER_COLUMNS = tuple(COLUMNS)  # the contract's, which the headings above stand for
ZONE = "America/New_York"  # the zone the tracker's times are typed in


def export(path: str, rows: list[list[str]], as_of: date) -> tuple[NativeFile, dict[str, bytes]]:
    """A tracker year as a workbook, and its folder's control files."""
    nf = workbook(path, rows, as_of, ZONE)
    mapping = [
        ["source", "column"],
        *([h, c] for h, c in zip(TRACKER_HEADINGS, TRACKER_COLUMNS, strict=True)),
    ]
    return nf, {
        "ta_requests/tracker/COLUMNS.csv": csv_text(mapping).encode("utf-8"),
        "ta_requests/tracker/TIMEZONE": f"{ZONE}\n".encode(),
    }


def workbook(path: str, rows: list[list[str]], as_of: date, tz_name: str) -> NativeFile:
    from openpyxl import Workbook

    tz = ZoneInfo(tz_name)
    wb = Workbook()
    ws = wb.active
    ws.title = "TA Requests"
    ws.append(list(TRACKER_HEADINGS))
    for row in rows:
        cells: list[object] = list(row)
        for i in (2, 8):
            at = parse_ts(row[i])
            try:
                cells[i] = local(at, tz)
            except Ambiguous:  # the repeated hour: typed with its offset
                cells[i] = at.replace(tzinfo=UTC).astimezone(tz).isoformat()
        ws.append([c if c != "" else None for c in cells])
    for col in ("C", "I"):
        for cell in ws[col][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.column_dimensions[col].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    year = path.rsplit("_", 1)[-1].split(".")[0]
    return NativeFile(
        f"ta_requests/tracker/TA_Tracker_{year}.xlsx",
        stable_zip(buf.getvalue(), as_of),
        "tracker_spreadsheet",
        len(rows),
    )


def stable_zip(data: bytes, as_of: date) -> bytes:
    """The workbook with fixed timestamps (entries and document properties), so the same
    seed gives the same bytes."""
    stamp = f"{as_of.isoformat()}T00:00:00Z"
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    lambda m: m.group(1) + stamp.encode(),
                    body,
                )
            fixed = zipfile.ZipInfo(
                info.filename, date_time=(as_of.year, as_of.month, as_of.day, 0, 0, 0)
            )
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, body)
    return out.getvalue()
