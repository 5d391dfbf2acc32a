"""The duplicate-key check across files goes through the dataset's key index
(``plcqi.ingest.duplicates.KeyIndex``): it still catches a key loaded earlier with other
content, whether the index was kept from an earlier run, is missing, stale or unreadable, and
a lookup reads only the raw files the index does not hold yet, not the history."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from plcqi.ingest import contract
from plcqi.ingest.duplicates import KeyIndex
from plcqi.ingest.rawzone import Zone
from plcqi.ingest.run import ingest
from plcqi.sql import literal as lit
from tests.helpers import read_quarantine, read_raw

TA = "request_id,grantee_id,submitted_at,topic,request_type,plan_status,updated_at\n"
R1 = "R1,G01,2024-01-02T10:00:00,licensing,p2p,initial,2024-01-02T10:00:00\n"
R2 = "R2,G02,2024-01-03T10:00:00,workforce,p2p,initial,2024-01-03T10:00:00\n"
# R2's change of 2024-01-03 again, with another plan_status: a conflict
R2_CONFLICT = "R2,G02,2024-01-03T10:00:00,workforce,p2p,final,2024-01-03T10:00:00\n"
R3 = "R3,G03,2024-01-04T10:00:00,workforce,p2p,initial,2024-01-04T10:00:00\n"
REASON = (
    "duplicate request_id + updated_at with content different from ta_requests/a.csv row 2, "
    "loaded earlier (the first row wins)"
)


def _index_file(d) -> object:
    return KeyIndex(None, Zone(d), contract.dataset("ta_requests")).path


def _first_two_runs(d, write_csv) -> None:
    land = d / "landing/ta_requests"
    write_csv(land / "a.csv", TA + R1 + R2)
    write_csv(land / "b.csv", TA + R3)
    report = ingest(d, sources=["ta_requests"])
    assert report.ok and [r.rows_loaded for r in report.records] == [2, 1]
    assert _index_file(d).exists()  # kept for the next run


def _conflict_is_quarantined(d, write_csv) -> None:
    write_csv(d / "landing/ta_requests/c.csv", TA + R3 + R2_CONFLICT)
    report = ingest(d, sources=["ta_requests"])
    (record,) = report.records
    assert (record.file, record.rows_loaded, record.rows_quarantined) == ("ta_requests/c.csv", 1, 1)
    (q,) = read_quarantine(d, "ta_requests")
    assert (q["_file"], q["_row"], q["value"], q["reason"]) == (
        "ta_requests/c.csv",
        2,
        "R2",
        REASON,
    )
    rows = [(x["_file"], x["request_id"], x["plan_status"]) for x in read_raw(d, "ta_requests")]
    assert rows == [
        ("ta_requests/a.csv", "R1", "initial"),
        ("ta_requests/a.csv", "R2", "initial"),
        ("ta_requests/b.csv", "R3", "initial"),
        ("ta_requests/c.csv", "R3", "initial"),  # an exact duplicate of b.csv's row: loads
    ]


def _rewrite_index(path, where: str, sig: str | None = None) -> None:
    """Keep only the index rows ``where`` says (and give every file another time, if asked)."""
    con = duckdb.connect()
    new = "*" if sig is None else f"* replace ({lit(sig)} as _sig)"
    table = con.sql(
        f"select {new} from read_parquet({lit(str(path))}) where {where}"
    ).to_arrow_table()
    pq.write_table(table, path)
    con.close()


@pytest.mark.parametrize("index", ["kept", "missing", "unreadable", "without_a", "changed_a"])
def test_a_key_loaded_in_an_earlier_run_with_other_content_is_quarantined(
    ingested_ref, write_csv, index
):
    d = ingested_ref
    _first_two_runs(d, write_csv)
    kept = _index_file(d)
    a_raw = next(r.raw_file for r in Zone(d).records("ta_requests") if r.file.endswith("a.csv"))
    if index == "missing":
        kept.unlink()
    elif index == "unreadable":
        kept.write_bytes(b"not a parquet file")
    elif index == "without_a":  # neither a.csv's rows nor its file: read from its raw file
        _rewrite_index(kept, f"_raw_file <> {lit(a_raw)}")
    elif index == "changed_a":  # a.csv's file, not its rows, another time: read again
        _rewrite_index(kept, f"_raw_file <> {lit(a_raw)} or _row is null", sig="1:1")
    _conflict_is_quarantined(d, write_csv)


def test_a_lookup_reads_only_the_raw_files_not_indexed_yet(ingested_ref, write_csv, monkeypatch):
    d = ingested_ref
    _first_two_runs(d, write_csv)
    added: list[list[str]] = []
    real_add = KeyIndex._add

    def spy(self, files):
        added.append([f for f, _ in files])
        return real_add(self, files)

    monkeypatch.setattr(KeyIndex, "_add", spy)
    land = d / "landing/ta_requests"
    land.joinpath("c.csv").write_text(TA + R3 + R2_CONFLICT)
    land.joinpath("d.csv").write_text(TA + R2_CONFLICT)
    report = ingest(d, sources=["ta_requests"])
    assert [(r.file, r.rows_loaded, r.rows_quarantined) for r in report.records] == [
        ("ta_requests/c.csv", 1, 1),
        ("ta_requests/d.csv", 0, 1),
    ]
    raw = {r.file: r.raw_file for r in Zone(d).records("ta_requests")}
    # a.csv and b.csv came from the kept index: d.csv's lookup read c.csv's new raw file only,
    # and keeping the index for the next run read d.csv's
    assert added == [[raw["ta_requests/c.csv"]], [raw["ta_requests/d.csv"]]]
