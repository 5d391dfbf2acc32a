"""The personal-data scan (``plcqi.privacy``): the people of the landing files are gathered
from the contract's participants and from native exports' name and e-mail columns, and each
one planted in an output is found there (a report, its embedded CSV download, a Parquet
file, the warehouse, a quality result, an Airflow log), masked in what the scan prints."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from plcqi import privacy
from tests.helpers import PEOPLE, write_csv, write_reference

ZOOM = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "123 456,PLC #1,01/15/2024 09:00:00 AM,01/15/2024 10:00:00 AM,host@ta.example.org,60,3\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Mary Jackson (Mary J. Jackson),mary.jackson@example.org,01/15/2024 09:01:00 AM,"
    "01/15/2024 09:59:00 AM,58,No\n"
    "Cher,cher@example.org,01/15/2024 09:01:00 AM,01/15/2024 09:59:00 AM,58,No\n"
)
SURVEY = (
    "Respondent ID,Email Address,First Name,Last Name,Q1\n1,ed.roberts@example.org,Ed,Roberts,Yes\n"
)


@pytest.fixture
def landed(tmp_path) -> Path:
    d = write_reference(tmp_path / "data")
    write_csv(d / "landing" / "attendance" / "C1" / "zoom" / "participants_1.csv", ZOOM)
    # a UTF-16 export with a byte-order mark, as SurveyMonkey and Teams write them
    (d / "landing" / "surveys" / "midpoint" / "C1").mkdir(parents=True)
    (d / "landing" / "surveys" / "midpoint" / "C1" / "export.csv").write_bytes(
        b"\xff\xfe" + SURVEY.encode("utf-16-le")
    )
    return d


def test_the_people_of_the_landing_files_are_collected(landed):
    people = privacy.collect(landed)
    names = set(people.names.values())
    assert {name for _, _, name, _ in PEOPLE} <= names
    assert {"Mary Jackson", "Mary J. Jackson", "Ed Roberts"} <= names
    assert "Cher" not in names and people.short_names >= 1  # one word: not looked for
    assert {email.lower() for *_, email in PEOPLE} <= people.emails
    assert {
        "mary.jackson@example.org",
        "ed.roberts@example.org",
        "host@ta.example.org",
        "cher@example.org",
    } <= people.emails


def _plant(d: Path, airflow: Path) -> None:
    reports = d / "reports" / "centers" / "C1"
    reports.mkdir(parents=True)
    csv_download = base64.b64encode(b"Grantee,Contact\nG01,Katherine Johnson\n")
    (reports / "2024-06-30.html").write_text(
        "<p>Thanks to Grace&#32;Hopper and the Adamson family.</p>"
        f'<a href="data:text/csv;charset=utf-8;base64,{csv_download.decode()}">CSV</a>'
    )
    raw = d / "raw" / "attendance"
    raw.mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        "copy (select 'S1' as session_id, 'kjohnson@example.net' as note union all "
        "select 'S2', 'nobody here') to ? (format parquet)".replace(
            "?", "'" + str(raw / "x.parquet").replace("'", "''") + "'"
        )
    )
    con.close()
    (d / "warehouse").mkdir()
    con = duckdb.connect(str(d / "warehouse" / "plcqi.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_people as select 'G01' as grantee_id, 'dorothy vaughan' as contact"
    )
    con.close()
    (d / "quality").mkdir()
    (d / "quality" / "latest.json").write_text(json.dumps({"raw": {"message": "Ada Lovelace"}}))
    airflow.mkdir()
    (airflow / "attempt=1.log").write_text("INFO sent to grace.hopper@example.gov\n")


def test_a_planted_name_is_found_wherever_it_is(landed, tmp_path):
    airflow = tmp_path / "airflow-logs"
    _plant(landed, airflow)
    result = privacy.scan(landed, airflow_logs=airflow)
    where = {h.where: h.count for h in result.hits}
    assert where == {
        "reports/centers/C1/2024-06-30.html (embedded file 1)": 1,
        "reports/centers/C1/2024-06-30.html": 1,
        "raw/attendance/x.parquet column note": 1,
        "warehouse/plcqi.duckdb table marts.dim_people column contact": 1,
        "quality/latest.json": 1,
        "airflow-logs/attempt=1.log": 1,
    }, where
    assert result.total == 6
    assert result.scanned["warehouses"] == 1 and result.scanned["parquet files"] == 1


def test_nothing_planted_nothing_found(landed):
    (landed / "reports").mkdir()
    (landed / "reports" / "index.html").write_text("<p>Alabama, Guam: 3 of 4 grantees</p>")
    assert privacy.scan(landed).total == 0


def test_the_command_masks_what_it_found_and_fails(landed, tmp_path):
    _plant(landed, tmp_path / "logs")
    proc = subprocess.run(
        [sys.executable, "-m", "plcqi.privacy", str(landed)], capture_output=True, text=True
    )
    assert proc.returncode == 1, proc.stderr
    assert "G**** H*****" in proc.stdout and "5 hit(s) in 5 place(s)" in proc.stdout
    for _, _, name, email in PEOPLE:
        assert name not in proc.stdout and email.lower() not in proc.stdout.lower()
