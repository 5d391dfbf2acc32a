"""A TA tracker spreadsheet (SOURCES.md, TA requests): ``.xlsx`` workbooks written here with
openpyxl and the CSV fixture saved from one, its headings mapped by ``COLUMNS.csv``; the
adapter directly, then through ``plcqi.ingest.run.ingest``.

``fixtures/spreadsheet/``: ``tracker.csv`` (a tracker's own headings, dates typed as
``3/8/2024 14:05`` on both sides of the daylight-saving change, a date without a time, a
status outside the contract, an unreadable date, a blank row, and the "Contact name" and
"Notes" columns a tracker keeps) and ``COLUMNS.csv`` (its mapping).
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected
from plcqi.ingest.run import ingest
from plcqi.ingest.sources import Context, adapt, detect
from tests.helpers import PEOPLE, names_in, read_log_records

FIXTURES = Path(__file__).parent / "fixtures" / "spreadsheet"
TA = contract.dataset("ta_requests")
NAMES = [p[2] for p in PEOPLE]
HEADINGS = [
    "Request #",
    "Grantee ID",
    "Date Submitted",
    "Request Topic",
    "Type of Request",
    "Lead Center",
    "Source Opportunity",
    "Plan Status",
    "Last Updated",
    "Contact name",
    "Notes",
]
BAD_STATUS = (
    "'Pending' is not an allowed value (expected one of: initial, intermediate, final, "
    "closed, withdrawn)"
)
CONTRACT_HEADINGS = [c.name for c in contract.contract_columns(TA)]


def tracker_rows() -> list[list]:
    """The workbook's rows from row 1: a blank row, the header in row 2, then data (rows 3-9)."""
    mar8 = datetime(2024, 3, 8, 14, 5)
    lic = ["Licensing inspections", "brief_tailored", "C1", "O1"]
    # fmt: off
    return [
        [],
        HEADINGS,
        ["TA-2001", "G01", mar8, *lic, "initial", mar8, "Ada Lovelace",
         "Call Grace Hopper at 202-555-0143"],
        ["TA-2001", "G01", mar8, *lic, "Intermediate", "3/12/2024 9:30", "Ada Lovelace", None],
        [2002, "G02", date(2024, 3, 20), "Workforce registry", "intensive_tailored", "C2", None,
         "Pending", datetime(2024, 3, 21, 10), "Grace Hopper", None],
        [],
        ["TA-2003", "G03", "March 22", "Tribal consultation", "one_on_one", "C2", None,
         "initial", datetime(2024, 3, 22, 11), "Katherine Johnson", None],
        ["TA-2004", "G04", 45376.5, "Family engagement", "p2p", "C1", "O2", "final",
         datetime(2024, 3, 25, 12), "Dorothy Vaughan", "prefers e-mail"],
        ["TA-2001", "G01", mar8, *lic, "final", mar8, "Ada Lovelace", None],
    ]
    # fmt: on


def write_xlsx(path: Path, rows: list[list], title: str = "Requests") -> Path:
    """A real workbook: its first sheet holds ``rows``; a second sheet is never read."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("Lists").append(["initial", "intermediate", "final"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def context(landing: Path, rel: str) -> Context:
    return Context(TA, landing / rel, rel, landing)


def adapted(landing: Path, rel: str):
    ctx = context(landing, rel)
    found = detect(ctx.path.read_bytes(), rel, TA, ctx)
    assert found.name == "tracker_spreadsheet"
    return adapt(found, ctx)


def with_mapping(landing: Path, folder: str) -> Path:
    target = landing / folder
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "COLUMNS.csv", target / "COLUMNS.csv")
    return target


# --- the workbook --------------------------------------------------------------------------


def test_xlsx_rows_with_excel_dates_text_dates_and_serial_numbers(tmp_path):
    landing = tmp_path / "landing"
    folder = with_mapping(landing, "ta_requests/center_a")
    write_xlsx(folder / "tracker.xlsx", tracker_rows())
    out = adapted(landing, "ta_requests/center_a/tracker.xlsx")
    assert out.layout == "tracker_spreadsheet"
    assert out.unmapped == ["Contact name", "Notes"]
    assert [r["_row"] for r in out.rows] == [3, 4, 5, 8, 9]  # spreadsheet row numbers
    assert [r[:2] for r in out.rejected] == [(7, "submitted_at")]
    assert "'March 22' is not a date-time plcqi reads" in out.rejected[0][2]
    assert out.rows_read == 6 and not out.skipped
    first, second, third, fourth, _ = out.rows
    assert first == {
        "_row": 3,
        "request_id": "TA-2001",
        "grantee_id": "G01",
        "submitted_at": "2024-03-08T19:05:00+00:00",  # an Excel date, 14:05 EST
        "topic": "Licensing inspections",
        "request_type": "brief_tailored",
        "center_id": "C1",
        "source_opportunity_id": "O1",
        "plan_status": "initial",
        "updated_at": "2024-03-08T19:05:00+00:00",
    }
    assert second["updated_at"] == "2024-03-12T13:30:00+00:00"  # text, 9:30 EDT
    assert second["plan_status"] == "Intermediate"  # the contract matches any case
    assert third["request_id"] == "2002"  # a number typed into the id column
    assert third["submitted_at"] == "2024-03-20T04:00:00+00:00"  # a date: local midnight
    assert third["source_opportunity_id"] is None
    assert fourth["submitted_at"] == "2024-03-25T16:00:00+00:00"  # serial 45376.5, noon EDT
    for row in out.rows:
        assert not set(row) - {"_row", *CONTRACT_HEADINGS}


def test_xlsx_with_contract_headings_needs_no_mapping(tmp_path):
    landing = tmp_path / "landing"
    rows = [
        CONTRACT_HEADINGS + ["Contact name"],
        [
            "R1",
            "G01",
            datetime(2024, 1, 10, 9),
            "Monitoring",
            "p2p",
            "C1",
            None,
            "initial",
            datetime(2024, 1, 10, 9),
            "Ada Lovelace",
        ],
    ]
    write_xlsx(landing / "ta_requests" / "plain.xlsx", rows)
    out = adapted(landing, "ta_requests/plain.xlsx")
    assert out.unmapped == ["Contact name"]
    assert out.rows[0]["_row"] == 2 and out.rows[0]["updated_at"] == "2024-01-10T14:00:00+00:00"


def test_a_workbook_lacking_a_required_heading_is_rejected_naming_it(tmp_path):
    landing = tmp_path / "landing"
    write_xlsx(landing / "ta_requests" / "short.xlsx", [["request_id", "Grantee", "topic"]])
    with pytest.raises(FileRejected) as e:
        adapted(landing, "ta_requests/short.xlsx")
    message = str(e.value)
    assert "ta_requests/short.xlsx" in message
    assert "grantee_id, submitted_at, request_type, plan_status, updated_at" in message
    assert "COLUMNS.csv" in message


def test_two_headings_for_one_column_reject_the_file(tmp_path):
    landing = tmp_path / "landing"
    folder = with_mapping(landing, "ta_requests")
    write_xlsx(folder / "twice.xlsx", [HEADINGS + ["request_id"]])
    with pytest.raises(FileRejected, match="'Request #' and 'request_id' both stand for"):
        adapted(landing, "ta_requests/twice.xlsx")


def test_a_zip_that_is_not_a_workbook_says_what_it_is(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileRejected) as e:
        detect(buffer.getvalue(), "ta_requests/letter.docx", TA)
    assert str(e.value) == (
        "ta_requests/letter.docx: is a Word document (.docx), not CSV: export it as CSV (UTF-8) "
        "and land that file"
    )


def test_an_xlsx_is_no_layout_of_the_other_datasets(tmp_path):
    path = write_xlsx(tmp_path / "polls.xlsx", [["a"]])
    with pytest.raises(FileRejected) as e:
        detect(path.read_bytes(), "polls/polls.xlsx", contract.dataset("polls"))
    assert str(e.value) == (
        "polls/polls.xlsx: is an Excel workbook (.xlsx), not CSV: export it as CSV (UTF-8) and "
        "land that file"
    )


# --- the CSV -------------------------------------------------------------------------------


def test_csv_is_the_tracker_layout_only_with_a_mapping(tmp_path):
    landing = tmp_path / "landing"
    bare = landing / "ta_requests" / "bare" / "tracker.csv"
    bare.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "tracker.csv", bare)
    with pytest.raises(FileRejected) as e:
        detect(bare.read_bytes(), "ta_requests/bare/tracker.csv", TA, context(landing, "x"))
    assert "tracker.csv: missing required columns request_id" in str(e.value)
    assert "not a native export plcqi reads either" in str(e.value)
    mapped = with_mapping(landing, "ta_requests/mapped") / "tracker.csv"
    shutil.copy(FIXTURES / "tracker.csv", mapped)
    rel = "ta_requests/mapped/tracker.csv"
    assert detect(mapped.read_bytes(), rel, TA, context(landing, rel)).name == (
        "tracker_spreadsheet"
    )
    with pytest.raises(FileRejected, match="missing required columns"):
        detect(mapped.read_bytes(), rel, TA)  # without the context there is no mapping


def test_a_mapping_that_leaves_a_column_out_names_it(tmp_path):
    landing = tmp_path / "landing"
    folder = landing / "ta_requests"
    folder.mkdir(parents=True)
    mapping = (FIXTURES / "COLUMNS.csv").read_text().replace("Plan Status,plan_status\n", "")
    (folder / "COLUMNS.csv").write_text(mapping)
    shutil.copy(FIXTURES / "tracker.csv", folder / "tracker.csv")
    rel = "ta_requests/tracker.csv"
    with pytest.raises(FileRejected) as e:
        detect((folder / "tracker.csv").read_bytes(), rel, TA, context(landing, rel))
    assert (
        "TA tracker CSV with a COLUMNS.csv mapping, which lacks a heading mapped to "
        "plan_status" in str(e.value)
    )


def test_csv_rows_numbered_by_line_in_local_time(tmp_path):
    landing = tmp_path / "landing"
    folder = with_mapping(landing, "ta_requests/center_b")
    shutil.copy(FIXTURES / "tracker.csv", folder / "tracker.csv")
    out = adapted(landing, "ta_requests/center_b/tracker.csv")
    assert out.unmapped == ["Contact name", "Notes"]
    assert [r["_row"] for r in out.rows] == [2, 3, 4, 7]  # line 5 is blank
    assert [r[:2] for r in out.rejected] == [(6, "submitted_at")]
    assert [(r["submitted_at"], r["updated_at"]) for r in out.rows] == [
        ("2024-03-08T19:05:00+00:00", "2024-03-08T19:05:00+00:00"),  # EST
        ("2024-03-08T19:05:00+00:00", "2024-03-12T13:30:00+00:00"),  # EDT from March 10
        ("2024-03-20T04:00:00+00:00", "2024-03-21T14:00:00+00:00"),
        ("2024-03-25T12:15:00+00:00", "2024-03-25T12:15:00+00:00"),  # the Z is kept
    ]


# --- through ingestion ---------------------------------------------------------------------


@pytest.fixture
def tracker_dir(ingested_ref) -> Path:
    """The reference set ingested; one center's workbook and another's CSV, each with its
    mapping in its own folder."""
    landing = ingested_ref / "landing"
    write_xlsx(with_mapping(landing, "ta_requests/center_a") / "tracker.xlsx", tracker_rows())
    shutil.copy(FIXTURES / "tracker.csv", with_mapping(landing, "ta_requests/center_b"))
    return ingested_ref


def test_ingest_accounts_for_every_row(tracker_dir):
    report = ingest(tracker_dir, sources=["ta_requests"])
    assert report.ok, [r.message for r in report.rejected]
    records = {r["file"]: r for r in read_log_records(tracker_dir, "ta_requests")}
    assert set(records) == {"ta_requests/center_a/tracker.xlsx", "ta_requests/center_b/tracker.csv"}
    xlsx, csv = (
        records["ta_requests/center_a/tracker.xlsx"],
        records["ta_requests/center_b/tracker.csv"],
    )
    # xlsx: the bad status, the unreadable date and the conflicting change row are quarantined
    assert (xlsx["rows_read"], xlsx["rows_loaded"], xlsx["rows_quarantined"]) == (6, 3, 3)
    assert (csv["rows_read"], csv["rows_loaded"], csv["rows_quarantined"]) == (5, 3, 2)
    for r in records.values():
        assert r["layout"] == "tracker_spreadsheet" and r["rows_skipped"] == 0
        assert r["unexpected_columns"] == []  # unmapped headings are not loaded at all


def test_ingest_applies_the_contract_to_the_change_rows(tracker_dir, read_raw, read_quarantine):
    ingest(tracker_dir, sources=["ta_requests"])
    raw = read_raw(tracker_dir, "ta_requests")
    changes = [
        (r["request_id"], r["plan_status"], r["updated_at"])
        for r in raw
        if r["_file"].endswith(".xlsx")
    ]
    assert changes == [
        ("TA-2001", "initial", datetime(2024, 3, 8, 19, 5)),
        ("TA-2001", "intermediate", datetime(2024, 3, 12, 13, 30)),
        ("TA-2004", "final", datetime(2024, 3, 25, 16)),
    ]
    quarantine = {
        (q["_file"].rsplit("/", 1)[1], q["_row"]): q
        for q in read_quarantine(tracker_dir, "ta_requests")
    }
    assert quarantine[("tracker.xlsx", 5)]["column"] == "plan_status"
    assert quarantine[("tracker.xlsx", 5)]["reason"] == BAD_STATUS
    assert quarantine[("tracker.xlsx", 7)]["column"] == "submitted_at"
    assert "is not a date-time plcqi reads" in quarantine[("tracker.xlsx", 7)]["reason"]
    # same request and updated_at as row 3, other content: the contract's duplicate rule
    assert quarantine[("tracker.xlsx", 9)]["column"] == "request_id"
    assert "different from row 3" in quarantine[("tracker.xlsx", 9)]["reason"]
    assert quarantine[("tracker.csv", 4)]["reason"] == BAD_STATUS
    assert quarantine[("tracker.csv", 6)]["column"] == "submitted_at"


def test_no_contact_name_or_note_reaches_raw_or_quarantine(tracker_dir, read_raw, read_quarantine):
    ingest(tracker_dir, sources=["ta_requests"])
    stored = json.dumps(
        read_raw(tracker_dir, "ta_requests") + read_quarantine(tracker_dir, "ta_requests"),
        default=str,
    )
    assert names_in(stored, NAMES) == []
    for note in ("202-555-0143", "prefers e-mail", "waiting on the state"):
        assert note not in stored
