"""``plcqi ingest`` through click's CliRunner: exit status, summary and ``--status``."""

from __future__ import annotations

from click.testing import CliRunner

from plcqi.cli import main
from tests.helpers import read_raw

ATT_HEADER = "session_id,participant_id,email,join_time,leave_time\n"
ATT_ROW = "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"


def run(*args: str):
    return CliRunner().invoke(main, ["ingest", *args], catch_exceptions=False)


def test_ingest_succeeds_with_exit_0(ref_dir, write_csv):
    write_csv(ref_dir / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW)
    result = run("--data-dir", str(ref_dir))
    assert result.exit_code == 0, result.output
    assert "loaded   attendance/a.csv: read 1, loaded 1, quarantined 0" in result.output
    assert "10 file(s) loaded, 0 rejected, 0 already loaded" in result.output
    assert "rows read 26 = loaded 26 + quarantined 0" in result.output
    assert len(read_raw(ref_dir, "attendance")) == 1

    again = run("--data-dir", str(ref_dir))
    assert again.exit_code == 0
    assert "0 file(s) loaded, 0 rejected, 10 already loaded" in again.output


def test_rejected_file_gives_a_non_zero_exit_and_others_load(ref_dir, write_csv):
    write_csv(ref_dir / "landing/attendance/bad.csv", "session_id,participant_id\nS1,P001\n")
    write_csv(ref_dir / "landing/attendance/good.csv", ATT_HEADER + ATT_ROW)
    result = run("--data-dir", str(ref_dir), "--source", "reference", "--source", "attendance")
    assert result.exit_code == 1
    assert "rejected attendance/bad.csv: missing required columns join_time, leave_time" in (
        result.output
    )
    assert "10 file(s) loaded, 1 rejected, 0 already loaded" in result.output
    assert "1 file(s) rejected" in result.output
    assert "loaded   attendance/good.csv: read 1, loaded 1" in result.output
    assert [x["_file"] for x in read_raw(ref_dir, "attendance")] == ["attendance/good.csv"]

    # still rejected, still failing, on the next run
    again = run("--data-dir", str(ref_dir))
    assert again.exit_code == 1
    assert "rejected attendance/bad.csv" in again.output


def test_only_the_named_source_is_ingested(ref_dir, write_csv):
    write_csv(ref_dir / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW)
    result = run("--data-dir", str(ref_dir), "--source", "reference")
    assert result.exit_code == 0
    assert "attendance/a.csv" not in result.output
    assert "9 file(s) loaded, 0 rejected" in result.output
    assert read_raw(ref_dir, "attendance") == []


def test_unknown_source_is_a_usage_error(ref_dir):
    result = run("--data-dir", str(ref_dir), "--source", "nope")
    assert result.exit_code == 2
    assert "nope" in result.output


def test_data_dir_from_the_environment(ref_dir, monkeypatch):
    monkeypatch.setenv("PLCQI_DATA_DIR", str(ref_dir))
    result = run("--source", "reference")
    assert result.exit_code == 0
    assert "9 file(s) loaded, 0 rejected" in result.output
    assert len(read_raw(ref_dir, "reference/grantees")) == 4


def test_status_lists_files_with_their_counts(ref_dir, write_csv):
    assert run("--data-dir", str(ref_dir), "--status").output.strip() == "nothing ingested yet"
    write_csv(
        ref_dir / "landing/attendance/a.csv",
        ATT_HEADER + ATT_ROW + "S9,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n",
    )
    write_csv(ref_dir / "landing/polls/empty.csv", b"")
    run("--data-dir", str(ref_dir))
    result = run("--data-dir", str(ref_dir), "--status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    header = lines[0].split()
    assert header == [
        "loaded_at",
        "dataset",
        "file",
        "hash",
        "status",
        "layout",
        "read",
        "loaded",
        "quarantined",
        "skipped",
        "message",
    ]
    rows = {}
    for line in lines[2:]:
        cells = line.split()
        rows[cells[2]] = cells
    assert len(rows) == 11
    assert rows["attendance/a.csv"][4:10] == ["loaded", "contract", "2", "1", "1", "0"]
    assert "quarantined" in " ".join(rows["attendance/a.csv"][10:])
    assert rows["polls/empty.csv"][4:10] == ["rejected", "contract", "0", "0", "0", "0"]
    assert rows["reference/sessions.csv"][4:10] == ["loaded", "contract", "4", "4", "0", "0"]
    assert rows["reference/participants.csv"][1] == "reference/participants"


def test_summary_shows_what_landed_and_the_marts(tmp_path, ref_dir, write_csv):
    from tests.fixtures import warehouse as fixtures

    missing = CliRunner().invoke(main, ["summary", "--data-dir", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no warehouse at" in missing.output

    write_csv(ref_dir / "landing/attendance/a.csv", ATT_HEADER + ATT_ROW + ATT_ROW)
    assert run("--data-dir", str(ref_dir)).exit_code == 0
    fixtures.build(ref_dir)  # the tiny hand-written marts: C1 has K1, K2 (ongoing), K3
    result = CliRunner().invoke(main, ["summary", "--data-dir", str(ref_dir)])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["attendance", "1", "2", "0", "0"] in lines
    c1 = next(line for line in lines if line and line[0] == "C1")
    assert c1[1:3] == ["3", "1"]  # cohorts, ongoing
