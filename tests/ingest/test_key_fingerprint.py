"""The pseudonymization key (INPUTS.md "Personal data"): at least 32 bytes, never a
placeholder, the same for the life of a data folder (its fingerprint is kept with the raw zone),
and the public demo key only for the demo data ``plcqi generate`` writes. A refused key ingests
nothing; ``plcqi ingest`` says why in one line, as it does when a dataset is busy."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from plcqi import locks, settings
from plcqi.ingest.pseudonymize import fingerprint
from plcqi.ingest.rawzone import Zone, read_log
from plcqi.ingest.run import ingest
from tests.helpers import read_raw

OTHER_KEY = "a-second-secret-that-is-long-enough-for-hmac"
ATT = "session_id,participant_id,email,join_time,leave_time\n"
ATT_ROW = "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:00:00\n"


def cli(*args: str):
    from plcqi.cli import main

    return CliRunner().invoke(main, list(args))


def outputs(d) -> list[str]:
    return sorted(
        p.relative_to(d).as_posix()
        for top in ("raw", "quarantine", "ingest_log")
        for p in (d / top).rglob("*")
        if p.is_file()
    )


def test_another_key_is_refused_whole_and_says_why(
    ingested_ref, write_csv, monkeypatch, pii_secret
):
    stored = (ingested_ref / "raw/_key_fingerprint.json").read_text()
    assert fingerprint(pii_secret.encode()) in stored and pii_secret not in stored
    write_csv(ingested_ref / "landing/attendance/a.csv", ATT + ATT_ROW)
    before = outputs(ingested_ref)

    monkeypatch.setenv("PLCQI_PII_SECRET", OTHER_KEY)
    with pytest.raises(settings.KeyRefused) as refused:
        ingest(ingested_ref)
    message = str(refused.value)
    assert "another key" in message and "could never match" in message
    assert "nothing was ingested" in message
    assert outputs(ingested_ref) == before  # not a single file more, nothing quarantined

    result = cli("ingest", "--data-dir", str(ingested_ref))
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: the raw zone in ") and "another key" in line

    # the right key again: it loads
    monkeypatch.setenv("PLCQI_PII_SECRET", pii_secret)
    assert ingest(ingested_ref).ok
    assert len(read_raw(ingested_ref, "attendance")) == 1


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("change-me-pii-key", "still a placeholder"),
        ("change-me-but-this-one-is-longer-than-32-bytes", "still a placeholder"),
        ("short-key", "9 bytes long; a pseudonymization key must be at least 32 bytes"),
    ],
)
def test_placeholder_and_short_keys_are_refused(ref_dir, monkeypatch, key, says):
    monkeypatch.setenv("PLCQI_PII_SECRET", key)
    with pytest.raises(settings.KeyRefused, match=says):
        ingest(ref_dir)
    assert not (ref_dir / "raw").exists() and not (ref_dir / "ingest_log").exists()


def test_demo_key_only_for_generated_demo_data(ref_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PLCQI_PII_SECRET")
    with pytest.raises(settings.KeyRefused, match="not the generated demo data"):
        ingest(ref_dir)
    monkeypatch.setenv("PLCQI_PII_SECRET", settings.DEMO_KEY)  # set explicitly: the same
    with pytest.raises(settings.KeyRefused, match="not the generated demo data"):
        ingest(ref_dir)
    assert not (ref_dir / "raw").exists()

    # plcqi generate marks its landing folder; the mark is hidden, so never ingested
    from plcqi.generate import generate

    demo = tmp_path / "demo"
    generate(demo, seed=3, scale=0.05, as_of=date(2026, 6, 30), native_mode="none")
    assert Zone(demo).demo_marker.is_file()
    Zone(ref_dir).demo_marker.write_bytes(Zone(demo).demo_marker.read_bytes())
    monkeypatch.delenv("PLCQI_PII_SECRET")
    assert ingest(ref_dir, sources=["reference"]).ok
    assert "public demo key" in capsys.readouterr().err
    assert not [r for r in read_log(Zone(ref_dir)) if "demo" in r.file]
    # a real key afterwards is another key: refused
    monkeypatch.setenv("PLCQI_PII_SECRET", OTHER_KEY)
    with pytest.raises(settings.KeyRefused, match="another key"):
        ingest(ref_dir)


def test_busy_dataset_gives_one_plain_line_and_a_failure(ingested_ref, write_csv, monkeypatch):
    write_csv(ingested_ref / "landing/attendance/a.csv", ATT + ATT_ROW)
    monkeypatch.setenv("PLCQI_LOCK_TIMEOUT", "0.2")
    with locks.exclusive(ingested_ref, "attendance"):  # another ingestion of attendance
        result = cli("ingest", "--data-dir", str(ingested_ref), "--source", "attendance")
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "the raw dataset attendance" in line and "in use by another plcqi process" in line
    assert read_raw(ingested_ref, "attendance") == []
    # once it is free, the same command loads the file
    result = cli("ingest", "--data-dir", str(ingested_ref), "--source", "attendance")
    assert result.exit_code == 0, result.output
    assert len(read_raw(ingested_ref, "attendance")) == 1
