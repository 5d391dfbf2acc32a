"""The data-quality section of a center report is about that center only: its sessions'
attendance and poll files and its cohorts' survey files, their quarantined rows and rejected
files (issue 12: every center report showed the same global "178 input rows are in
quarantine")."""

from __future__ import annotations

from pathlib import Path

import duckdb

from plcqi.ingest.rawzone import LogRecord, Zone
from plcqi.publish import center, warehouse
from tests.fixtures import warehouse as fixtures


def _parquet(path: Path, columns: str, rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"create table t ({columns})")
        con.executemany(f"insert into t values ({', '.join('?' for _ in rows[0])})", rows)
        con.execute(f"copy t to '{path}' (format parquet)")
    finally:
        con.close()


def _zone(d: Path) -> None:
    """One attendance export with rows of C1's K1-S1 and C2's K9-S1, its quarantined rows
    (2 of K1-S1, 1 of K9-S1, 1 of a session no center has), a survey file of C1's K1 with one
    quarantined row, and two rejected files: one in C1's folder, one in no center's."""
    raw = "_file varchar, _row integer, session_id varchar"
    _parquet(d / "raw" / "attendance" / "20260701T000000000000Z__a.parquet", raw,
             [("attendance/2026-06.csv", 1, "K1-S1"), ("attendance/2026-06.csv", 2, "K1-S1"),
              ("attendance/2026-06.csv", 3, "K9-S1")])
    q = "_file varchar, _row integer, \"column\" varchar, reason varchar, row_json varchar"
    _parquet(d / "quarantine" / "attendance" / "20260701T000000000000Z__a.parquet", q, [
        ("attendance/2026-06.csv", 4, "leave_time", "leave_time is before join_time",
         '{"session_id": "K1-S1"}'),
        ("attendance/2026-06.csv", 5, "leave_time", "leave_time is before join_time",
         '{"session_id": "K1-S1"}'),
        ("attendance/2026-06.csv", 6, "leave_time", "leave_time is before join_time",
         '{"session_id": "K9-S1"}'),
        ("attendance/2026-06.csv", 7, "session_id",
         "unknown session_id 'K1-S97' (not in reference/sessions)",
         '{"session_id": "K1-S97"}'),
    ])
    _parquet(d / "quarantine" / "surveys" / "six_month" / "20260701T000000000000Z__b.parquet",
             q, [("surveys/six_month/2026.csv", 9, "relevance",
                  "9 is outside the allowed range 1 to 5", '{"cohort_id": "K1"}')])
    # The log records commit those files (docs/raw-zone.md): readers list committed files only.
    zone = Zone(d)
    for dataset, file, stem, status, raw, quarantined in (
        ("attendance", "attendance/2026-06.csv", "a", "loaded", True, True),
        ("surveys/six_month", "surveys/six_month/2026.csv", "b", "loaded", False, True),
        ("attendance", "attendance/C1/zoom/participants_1.csv", "c", "rejected", False, False),
        ("attendance", "attendance/somewhere/else.csv", "d", "rejected", False, False),
    ):
        name = f"20260701T000000000000Z__{stem}.parquet"
        LogRecord(
            dataset=dataset, source=dataset.split("/")[0], file=file, file_hash=stem * 64,
            status=status, loaded_at="2026-07-01T00:00:00+00:00",
            message="" if status == "loaded" else "no session matches the meeting",
            raw_file=f"raw/{dataset}/{name}" if raw else None,
            quarantine_file=f"quarantine/{dataset}/{name}" if quarantined else None,
        ).save(zone)


def test_the_quality_section_is_the_centers_own(tmp_path):
    fixtures.build(tmp_path)
    _zone(tmp_path)
    with warehouse.connect(tmp_path) as con:
        c1 = center.build(con, tmp_path, "C1", fixtures.AS_OF)["quality"]
        c2 = center.build(con, tmp_path, "C2", fixtures.AS_OF)["quality"]

    def texts(t: dict) -> list[list[str]]:
        return [[c["text"] for c in r["cells"]] for r in t["rows"]]

    # C1: K1-S1's 2 attendance rows and K1's survey row; the unknown session is nobody's.
    assert (c1["scope"], c1["quarantined_rows"], c1["unattributed_rows"]) == ("center", 3, 1)
    assert texts(c1["quarantine"]) == [
        ["attendance", "leave_time", "leave_time is before join_time", "2", "1"],
        ["surveys/six_month", "relevance", "9 is outside the allowed range 1 to 5", "1", "1"]]
    # the export holds rows of both centers: it is C1's file too (2 rows loaded, 2 kept out)
    assert texts(c1["sources"]) == [["attendance", "1", "2", "2"],
                                    ["surveys/six_month", "1", "0", "1"]]
    assert texts(c1["rejected"]) == [["attendance", "participants_1.csv",
                                      "no session matches the meeting"]]
    assert c1["rejected_other"] == 1
    # C2: only K9-S1's row
    assert c2["quarantined_rows"] == 1
    assert texts(c2["quarantine"]) == [
        ["attendance", "leave_time", "leave_time is before join_time", "1", "1"]]
    assert texts(c2["rejected"]) == [] and c2["rejected_other"] == 2
