"""End to end on generated demo data: every center's report renders, names nobody, holds no
other center's cohorts, and opens cleanly in headless Chromium."""

from __future__ import annotations

import csv
import json
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from plcqi.publish import render_all
from tests.helpers import REPO, duplicate_ids, names_in

pytestmark = pytest.mark.slow

AS_OF = date(2026, 6, 30)
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def demo(demo_copy_module):
    d = demo_copy_module
    started = time.perf_counter()
    result = render_all(d)
    seconds = time.perf_counter() - started
    return d, result, seconds


def cohorts_by_center(d: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(d / "warehouse" / "plcqi.duckdb"), read_only=True)
    try:
        out: dict[str, set[str]] = {}
        for center, cohort in con.execute(
                "select center_id, cohort_id from marts.dim_cohorts").fetchall():
            out.setdefault(center, set()).add(cohort)
        return out
    finally:
        con.close()


def test_every_center_has_a_report(demo):
    d, result, seconds = demo
    centers = cohorts_by_center(d)
    con = duckdb.connect(str(d / "warehouse" / "plcqi.duckdb"), read_only=True)
    all_centers = [r[0] for r in con.execute("select center_id from marts.dim_centers")
                   .fetchall()]
    con.close()
    written = {p.relative_to(d / "reports").as_posix() for p in result.paths}
    for center in all_centers:
        assert f"centers/{center}/{AS_OF}.html" in written
    assert {f"leadership/{AS_OF}.html", f"data-quality/{AS_OF}.html", "index.html"} <= written
    index = (d / "reports" / "index.html").read_text()
    for center in all_centers:
        assert f'href="centers/{center}/{AS_OF}.html"' in index
    assert centers  # the demo has cohorts
    (SHOTS.parent).mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "report-timing.json").write_text(json.dumps(
        {"reports": len(result.paths), "seconds": round(seconds, 2)}))


def test_every_element_id_is_unique_on_every_page(demo):
    d, result, _ = demo
    pages = sorted((d / "reports").rglob("*.html"))
    assert len(pages) >= 10
    dupes = {p.relative_to(d / "reports").as_posix(): duplicate_ids(p.read_text())
             for p in pages}
    assert not {k: v for k, v in dupes.items() if v}, dupes
    # the check itself sees a duplicate
    assert duplicate_ids('<p id="a"></p><svg><g id="a"/></svg>') == ["a"]


def test_no_participant_named_anywhere(demo):
    d, result, _ = demo
    with (d / "landing" / "reference" / "participants.csv").open(encoding="utf-8-sig") as f:
        people = list(csv.DictReader(f))
    names = {p["full_name"].strip() for p in people if (p.get("full_name") or "").strip()}
    emails = {p["email"].strip().lower() for p in people if (p.get("email") or "").strip()}
    assert names and emails
    for page in result.paths:
        html = page.read_text()
        lowered = html.lower()
        assert names_in(html, names) == [], page
        assert not [e for e in emails if e in lowered], page


def test_the_personal_data_scan_finds_no_one_in_any_output(demo):
    """plcqi.privacy over the demo: the raw zone, quarantine, warehouse, ingest log, history
    and every report (their CSV downloads included)."""
    from plcqi import privacy

    d, _, _ = demo
    result = privacy.scan(d)
    assert len(result.people.names) > 500 and len(result.people.emails) > 500
    assert result.scanned["warehouses"] == 1 and result.scanned["parquet files"] > 50
    assert result.total == 0, "\n".join(h.line() for h in result.hits)


def test_no_csv_download_of_the_demo_starts_like_a_formula(demo):
    import base64
    import io
    import re

    d, result, _ = demo
    cells = [c for page in result.paths
             for m in re.findall(r'base64,([A-Za-z0-9+/=]+)" download', page.read_text())
             for row in csv.reader(io.StringIO(base64.b64decode(m).decode()))
             for c in row]
    assert len(cells) > 1000
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
             and not re.fullmatch(r"[+-]?\d+(?:\.\d+)?%?", c)]
    assert risky == [], risky[:10]
    assert any(c.startswith("'+") for c in cells)  # e.g. '+24 pts: neutralized, not dropped


def test_center_reports_hold_no_other_centers_cohorts(demo):
    d, _, _ = demo
    by_center = cohorts_by_center(d)
    for center, own in by_center.items():
        html = (d / "reports" / "centers" / center / f"{AS_OF}.html").read_text()
        others = {c for k, ids in by_center.items() if k != center for c in ids}
        # a cohort id followed by a non-id character (ES01-C1 must not match ES01-C10)
        leaked = [c for c in others if any(f"{c}{end}" in html for end in '<"\' ,:)')]
        assert leaked == [], (center, leaked)
        assert all(c in html for c in own)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_demo_reports_open_cleanly_in_chromium(demo):
    from plcqi.publish.browser import check_page

    d, result, _ = demo
    for page in result.paths:
        name = "demo-" + page.relative_to(d / "reports").as_posix().replace("/", "-")
        check = check_page(page, SHOTS / name.replace(".html", ".png"))
        assert check.console_errors == [], (page, check.console_errors)
        assert check.external_requests == [], (page, check.external_requests)
        assert check.text_length > 200 and check.screenshot_bytes > 20_000, page
