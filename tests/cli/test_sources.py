"""``plcqi sources list`` and ``plcqi sources detect``: what a data engineer asks before the
first load, on the real fixture exports; nothing is written to the data folder."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from plcqi.cli import main
from plcqi.ingest.sources import layouts
from tests.ingest.sources.meetings import FIXTURES, land, write_reference


def sources(*args: str):
    return CliRunner().invoke(main, ["sources", *args], catch_exceptions=False)


def test_list_names_every_layout_and_its_dataset():
    out = sources("list").output
    for lo in layouts():
        assert lo.name in out and lo.title in out
    assert "zoom_meeting" in out and "attendance" in out


def test_detect_tells_layout_dataset_session_rows_and_unused_columns(tmp_path):
    data = write_reference(tmp_path / "data")
    meeting = (FIXTURES / "zoom" / "meeting_with_block_2024-03-08.csv").read_bytes()
    rel = land(data, "participants_81234567890.csv", meeting, under="center-a/zoom")
    before = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file())
    result = sources("detect", "--data-dir", str(data), str(data / "landing" / rel))
    assert result.exit_code == 0, result.output
    out = result.output
    assert rel in out
    assert "layout:   zoom_meeting (Zoom meeting participants report)" in out
    assert "dataset:  attendance" in out
    assert "session:  Z1" in out  # by its meeting ID, written with spaces in sessions.csv
    assert "would be skipped" in out and "host" in out and "waiting room" in out
    assert "not used:" in out and "Name (Original Name)" in out
    after = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file())
    assert after == before  # detect writes nothing


def test_detect_outside_landing_tries_every_dataset(tmp_path):
    data = write_reference(tmp_path / "data")
    outside = tmp_path / "downloads" / "report.csv"
    outside.parent.mkdir()
    shutil.copyfile(FIXTURES / "teams" / "attendance_report_2024-03-08.csv", outside)
    result = sources("detect", "--data-dir", str(data), str(outside))
    assert result.exit_code == 0, result.output
    assert "layout:   teams_attendance" in result.output
    assert "dataset:  attendance" in result.output and "session:  T1" in result.output


def test_detect_says_why_a_file_would_be_rejected_and_exits_1(tmp_path):
    data = write_reference(tmp_path / "data")
    odd = data / "landing" / "attendance" / "odd.csv"
    odd.parent.mkdir(parents=True, exist_ok=True)
    odd.write_text("Attendee,Minutes\nsomeone,45\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "detect", "--data-dir", str(data), str(odd)])
    assert result.exit_code == 1
    assert "not loadable" in result.output
    assert "missing required columns session_id, join_time, leave_time" in result.output
    assert "Zoom meeting participants report" in result.output  # a layout it was checked against


def test_detect_names_the_candidates_when_no_session_matches(tmp_path):
    data = write_reference(tmp_path / "data")
    text = (FIXTURES / "zoom" / "meeting_with_block_2024-03-08.csv").read_text("utf-8-sig")
    moved = text.replace("03/08/2024", "05/08/2024")  # a date no session is scheduled near
    rel = land(data, "moved.csv", moved.encode("utf-8"))
    result = CliRunner().invoke(
        main, ["sources", "detect", "--data-dir", str(data), str(data / "landing" / rel)]
    )
    assert result.exit_code == 1
    assert "matches no session" in result.output and "Z1" in result.output


def test_detect_before_the_sessions_are_loaded_says_to_ingest_them(tmp_path):
    data = tmp_path / "data"
    meeting = (FIXTURES / "zoom" / "meeting_with_block_2024-03-08.csv").read_bytes()
    rel = land(data, "participants.csv", meeting)
    result = CliRunner().invoke(
        main, ["sources", "detect", "--data-dir", str(data), str(data / "landing" / rel)]
    )
    assert result.exit_code == 1
    assert "no sessions are loaded" in result.output
    assert "plcqi ingest --source reference" in result.output
