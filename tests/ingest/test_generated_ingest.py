"""Acceptance: the generator's landing folder through ingestion, at two seeds.

Ingestion must quarantine exactly the rows the generator says it broke (no more, no fewer,
blaming the same column), keep per-file accounting, load nothing on a second run, and let no
name or e-mail of the landing files reach the raw zone.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from plcqi.generate import generate
from plcqi.ingest.rawzone import Zone, data_files, parquet_list
from plcqi.ingest.run import ingest
from tests.helpers import TEST_SECRET, names_in

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module", params=[7, 20261123])
def generated(request, tmp_path_factory) -> tuple[Path, dict, object]:
    d = tmp_path_factory.mktemp(f"seed{request.param}")
    generate(d, seed=request.param, scale=1.0, as_of=AS_OF)
    manifest = json.loads((d / "generator_manifest.json").read_text())
    with pytest.MonkeyPatch.context() as mp:  # set up before the autouse pii_secret
        mp.setenv("PLCQI_PII_SECRET", TEST_SECRET)
        report = ingest(d)
    return d, manifest, report


def test_exactly_the_injected_rows_are_quarantined(generated):
    d, manifest, report = generated
    assert report.ok, [r.message for r in report.rejected]
    quarantined = duckdb.sql(
        f"select distinct _file, _row, \"column\" from read_parquet('{d}/quarantine/**/*.parquet')"
    ).fetchall()
    injected = {(i["file"], i["row"], i["column"]) for i in manifest["injected"]}
    assert len(injected) >= 8
    assert set(quarantined) == injected
    assert len(quarantined) == len(injected)  # one rule per bad row: no extra reasons
    kinds = {i["kind"] for i in manifest["injected"]}
    assert kinds >= {
        "unknown_grantee_id",
        "unknown_session_id",
        "unknown_cohort_id",
        "unparseable_datetime",
        "leave_before_join",
        "likert_out_of_range",
        "unknown_enum",
        "duplicate_key_conflict",
    }


def test_every_file_accounts_for_every_row(generated):
    d, manifest, report = generated
    assert {r.file for r in report.records} == set(manifest["files"])
    for r in report.records:
        assert r.rows_read == manifest["files"][r.file], r.file
        assert r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_skipped, r.file
        assert r.rows_skipped == sum(r.skipped.values()), r.file
        native = manifest["native_files"].get(r.file)
        assert r.layout == (native["layout"] if native else "contract"), r.file
        if native:  # the generator's hosts, no-shows, waiting rooms, previews: skipped
            assert r.rows_skipped == sum(native["skipped"].values()), r.file
    ((raw_rows,),) = duckdb.sql(
        f"select count(*) from read_parquet('{d}/raw/**/*.parquet', union_by_name = true)"
    ).fetchall()
    assert raw_rows == sum(r.rows_loaded for r in report.records)


def test_second_run_loads_nothing(generated):
    d, manifest, _ = generated
    before = sorted(p.name for p in (d / "raw").rglob("*.parquet"))
    again = ingest(d)
    assert again.records == []
    assert again.skipped == len(manifest["files"])
    assert sorted(p.name for p in (d / "raw").rglob("*.parquet")) == before


def test_no_name_or_email_under_the_raw_zone(generated):
    d, _, _ = generated
    with (d / "landing/reference/participants.csv").open(encoding="utf-8-sig") as f:
        people = list(csv.DictReader(f))
    emails = {p["email"].lower() for p in people if p["email"]}
    names = {p["full_name"] for p in people if p["full_name"]}
    assert names and emails
    zone = Zone(d)
    for folder in ("raw", "quarantine", "ingest_log"):
        if folder == "ingest_log":
            text = "\n".join(p.read_text() for p in (d / folder).rglob("*.json"))
        else:
            files = data_files(zone.root / folder, recursive=True)
            text = "\n".join(
                str(row)
                for row in duckdb.sql(
                    f"select * from read_parquet({parquet_list(files)}, union_by_name = true)"
                ).fetchall()
            )
        assert names_in(text, names) == [], folder
        lowered = text.lower()
        if folder == "ingest_log":
            assert not [e for e in emails if e in lowered], folder
        else:
            assert "@" not in text, folder  # no e-mail address at all
