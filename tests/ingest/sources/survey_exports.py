"""What the survey-export tests share: the fixtures (real layouts, tests/ingest/sources/
fixtures/<platform>/), adapting one directly, landing it for ``plcqi.ingest.run.ingest``, and
the check that no respondent's name, address or location reaches raw/ or quarantine/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from plcqi.ingest import contract
from plcqi.ingest.sources import Adapted, Context, adapt, detect
from tests.helpers import PEOPLE, names_in, read_quarantine, read_raw

FIXTURES = Path(__file__).parent / "fixtures"
UNKNOWN_EMAIL = "unknown email: no participant in reference/participants has this email"

# Personal data the fixtures carry that must never pass ingestion (beside PEOPLE's names and
# e-mails): recipients' first and last names, IP addresses and locations.
FIXTURE_PERSONAL = (
    "Lovelace",
    "Hopper",
    "Vaughan",
    "Katherine",
    "Someone Else",
    "someone.else@example.com",
    "nobody@example.org",
    "73.14.201.9",
    "98.245.17.33",
    "185.220.101.4",
    "24.9.110.12",
    "67.176.4.250",
    "99.120.4.8",
    "39.7392",
    "-104.9903",
    "41.8781",
)


def fixture(platform: str, name: str) -> Path:
    return FIXTURES / platform / name


def land(
    data_dir: Path, wave: str, platform: str, name: str, *, folder: str = "", zone: str = ""
) -> Path:
    """Copy a fixture into ``landing/surveys/<wave>/<folder>/``, with a TIMEZONE file there
    when ``zone`` is given; returns the landed path."""
    target = Path(data_dir) / "landing" / "surveys" / wave / folder
    target.mkdir(parents=True, exist_ok=True)
    if zone:
        (target / "TIMEZONE").write_text(zone + "\n")
    return Path(shutil.copy(fixture(platform, name), target / name))


def adapt_file(path: Path, landing: Path, wave: str = "midpoint") -> Adapted:
    """Detect and adapt a native export as ingestion would, without the contract checks."""
    ds = contract.dataset(f"surveys/{wave}")
    rel = path.relative_to(landing).as_posix()
    found = detect(path.read_bytes(), rel, ds)
    assert found.layout is not None, f"{rel} was read as a contract CSV"
    return adapt(found, Context(ds, path, rel, landing))


def by_row(adapted: Adapted) -> dict[int, dict]:
    return {r["_row"]: r for r in adapted.rows}


def leaked(data_dir: Path, wave: str) -> list[str]:
    """Names, e-mails, IPs and locations of the fixtures found in raw/ or quarantine/."""
    ds = f"surveys/{wave}"
    text = json.dumps(read_raw(data_dir, ds) + read_quarantine(data_dir, ds), default=str)
    found = names_in(text, [name for _, _, name, _ in PEOPLE] + ["Someone Else"])
    values = [email for *_, email in PEOPLE] + list(FIXTURE_PERSONAL)
    found += [v for v in values if v.lower() in text.lower()]
    return found


def quarantined(data_dir: Path, wave: str) -> dict[int, tuple[str, str]]:
    """(column, reason) of each quarantined row, by its native line number."""
    return {
        q["_row"]: (q["column"], q["reason"]) for q in read_quarantine(data_dir, f"surveys/{wave}")
    }


def accounting(records) -> dict[str, tuple[str, dict[str, int]]]:
    """Per loaded file: its layout and row counts, and its skipped rows by reason."""
    out = {}
    for r in records:
        if r.status != "loaded":
            continue
        assert r.rows_read == r.rows_loaded + r.rows_quarantined + r.rows_skipped, r.file
        counts = (
            f"{r.layout}: read {r.rows_read}, loaded {r.rows_loaded}, "
            f"quarantined {r.rows_quarantined}, skipped {r.rows_skipped}"
        )
        out[r.file] = (counts, r.skipped)
    return out
