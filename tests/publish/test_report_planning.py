"""The TA planning pages on the generated demo (seed 7, as of 2026-06-30): a report per ACF
region and a profile per grantee, in the index; from a region's report alone, which of its
grantees' plans are late or stalled (checked against the tracker's change rows, not the
marts), which needs rise faster than the nation's, and who took part in peer learning and
followed up; no other region's grantee and no person on a region's pages; every page opens
cleanly in headless Chromium."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from plcqi.publish import render_all
from tests.helpers import REPO, names_in

pytestmark = pytest.mark.slow

AS_OF = date(2026, 6, 30)
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def demo(demo_copy_module):
    d = demo_copy_module
    return d, render_all(d)


def _query(d: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(d / "warehouse" / "plcqi.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _grantees(d: Path) -> dict[str, tuple[str, int | None]]:
    """id -> (name, region), from the landing reference file (not the marts)."""
    with (d / "landing" / "reference" / "grantees.csv").open(encoding="utf-8-sig") as f:
        return {r["grantee_id"]: (r["grantee_name"],
                                  int(r["acf_region"]) if r.get("acf_region") else None)
                for r in csv.DictReader(f)}


class Tables(HTMLParser):
    """Every table of a page: its id and its rows of cell texts (links' targets apart)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._table = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id", f"t{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(path: Path) -> Tables:
    t = Tables()
    t.feed(path.read_text())
    return t


def _changes(d: Path) -> dict[str, list[tuple[date, str, str]]]:
    """Each request's change rows up to the as-of date: (day, status, grantee), in order."""
    out: dict[str, list] = defaultdict(list)
    for rid, grantee, status, at in _query(
            d, "select request_id, grantee_id, plan_status, updated_at "
            "from staging.stg_tracker__ta_request_changes order by updated_at, _row"):
        if at.date() <= AS_OF:
            out[rid].append((at.date(), status, grantee))
    return out


def test_every_region_and_grantee_has_a_page_linked_from_the_index(demo):
    d, result = demo
    grantees = _grantees(d)
    regions = sorted({r for _, r in grantees.values() if r is not None})
    assert regions == list(range(1, 11))
    written = {p.relative_to(d / "reports").as_posix() for p in result.paths}
    index = parse(d / "reports" / "index.html")
    for region in regions:
        page = f"regions/{region}/{AS_OF}.html"
        assert page in written and page in index.links
        report = parse(d / "reports" / page)
        for gid, (_, r) in grantees.items():
            profile = f"regions/{r}/grantees/{gid}/{AS_OF}.html"
            if r == region:
                assert profile in written and profile in index.links
                # the region's report links the profile, and the link opens it
                assert f"grantees/{gid}/{AS_OF}.html" in report.links, (region, gid)
    for gid, (_, r) in grantees.items():
        if r is None:
            assert f"regions/unassigned/grantees/{gid}/{AS_OF}.html" in written


def test_a_region_report_names_no_other_regions_grantee_and_no_person(demo):
    d, _ = demo
    grantees = _grantees(d)
    with (d / "landing" / "reference" / "participants.csv").open(encoding="utf-8-sig") as f:
        people = list(csv.DictReader(f))
    names = {p["full_name"].strip() for p in people if (p.get("full_name") or "").strip()}
    emails = {p["email"].strip().lower() for p in people if (p.get("email") or "").strip()}
    for region in range(1, 11):
        pages = [d / "reports" / f"regions/{region}/{AS_OF}.html",
                 *sorted((d / "reports" / f"regions/{region}/grantees").glob(f"*/{AS_OF}.html"))]
        own = sorted((n for n, r in grantees.values() if r == region), key=len, reverse=True)
        others = {gid: n for gid, (n, r) in grantees.items() if r != region}
        for page in pages:
            html = page.read_text()
            text = html
            for name in own:  # "West Virginia" holds "Virginia": take the own names out first
                text = text.replace(name, " ")
            leaked = [n for n in others.values() if re.search(rf"\b{re.escape(n)}\b", text)]
            assert leaked == [], (page.name, region, leaked)
            links = parse(page).links
            assert not [a for a in links if "grantees/" in a
                        and a.split("grantees/")[1].split("/")[0] in others], page
            assert names_in(html, names) == [], page
            assert not [e for e in emails if e in html.lower()], page


def test_from_the_region_report_the_late_and_stalled_plans_can_be_read(demo):
    """Stalled (open, no change for 90 days) and late on intermediate (more than 14 days
    from the first initial to the first move past it, to intermediate, final or closed, or
    still initial after 14 days), computed here from the tracker's change rows, withdrawn
    plans apart as the page says: every such plan of the region is in its "late and
    stalled" table, said to be so, and no other region's plan is."""
    d, _ = demo
    grantees = _grantees(d)
    changes = _changes(d)
    checked = 0
    for region in range(1, 11):
        tables = parse(d / "reports" / f"regions/{region}/{AS_OF}.html").tables
        listed = {row[1]: row for row in tables["late-stalled-plans"][1:]}
        stalled, late = set(), set()
        for rid, rows_ in changes.items():
            if grantees[rows_[-1][2]][1] != region:
                continue
            last_day, last_status, _ = rows_[-1]
            if last_status == "withdrawn":
                continue
            if last_status in ("initial", "intermediate") and (AS_OF - last_day).days >= 90:
                stalled.add(rid)
            initial = next((day for day, status, _ in rows_ if status == "initial"), None)
            past = next((day for day, status, _ in rows_
                         if status in ("intermediate", "final", "closed")), None)
            if initial is None:
                continue
            if past is not None:
                if (past - initial).days > 14:
                    late.add(rid)
            elif last_status == "initial" and (AS_OF - initial).days > 14:
                late.add(rid)
        for rid in stalled:
            assert rid in listed and "stalled" in listed[rid][-1], (region, rid)
        for rid in late:
            assert rid in listed and any(
                said in listed[rid][-1]
                for said in ("intermediate after", "initial for", "late past initial")), (
                region, rid)
        own = {rid for rid, rows_ in changes.items() if grantees[rows_[-1][2]][1] == region}
        assert set(listed) <= own, region
        checked += len(stalled) + len(late)
    assert checked > 20  # the demo has late and stalled plans in every region


def test_from_the_region_report_rising_needs_and_peer_learning_can_be_read(demo):
    d, _ = demo
    grantees = _grantees(d)
    for region in range(1, 11):
        page = d / "reports" / f"regions/{region}/{AS_OF}.html"
        tables = parse(page).tables
        rising = {r[0] for r in tables["needs-trend"][1:] if r[-1].startswith("rising")}
        expected = {t.replace("_", " ") for (t,) in _query(
            d, "select topic from marts.agg_ta_needs_region_trend where acf_region = ? "
            "and is_rising_vs_nation", [region])}
        assert rising == expected and rising, region
        html = page.read_text()
        for topic in rising:  # the headline says it
            assert f"{topic} (" in html.split('id="headline-h"')[1].split("</section>")[0]
        # every grantee of the region has a row: cohorts joined and follow-up taken up
        by_name = {r[0]: r for r in tables["peer-learning-by-grantee"][1:]}
        mine = {n for n, r in grantees.values() if r == region}
        assert set(by_name) == mine, region
        for name, cohorts, took_up in _query(
                d, "select grantee_name, cohorts_joined, followup_took_up from "
                "marts.fct_grantee_profile where acf_region = ?", [region]):
            assert by_name[name][2] == str(cohorts) and by_name[name][6] == str(took_up)
        # the needs chart is drawn, with the table behind it one click away
        assert 'id="needs-chart"' in html and "<svg" in html and 'id="needs-quarters"' in html


def test_a_profile_shows_its_plans_cohorts_and_no_ta_flag(demo):
    d, _ = demo
    (gid, region, name, cohorts, requests, no_ta), = _query(
        d, "select grantee_id, acf_region, grantee_name, cohorts_joined, requests, "
        "no_ta_in_period from marts.fct_grantee_profile where cohorts_joined > 0 "
        "order by requests desc, grantee_id limit 1")
    page = parse(d / "reports" / f"regions/{region}/grantees/{gid}/{AS_OF}.html")
    changes = _changes(d)
    own = {rid for rid, rows_ in changes.items() if rows_[-1][2] == gid}
    assert {r[0] for r in page.tables["plans"][1:]} == own
    assert len(page.tables["cohorts"]) - 1 == cohorts
    quiet = _query(d, "select grantee_id, acf_region from marts.fct_grantee_profile "
                   "where no_ta_in_period order by grantee_id limit 1")
    if quiet:
        q, r = quiet[0]
        html = (d / "reports" / f"regions/{r}/grantees/{q}/{AS_OF}.html").read_text()
        assert "No TA in the period" in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_region_reports_and_profiles_open_cleanly_in_chromium(demo):
    from plcqi.publish.browser import check_page

    d, _ = demo
    pages = [d / "reports" / "index.html"]
    for region in (1, 9):
        pages.append(d / "reports" / f"regions/{region}/{AS_OF}.html")
        pages += sorted((d / "reports" / f"regions/{region}/grantees").glob(f"*/{AS_OF}.html"))[:2]
    for page in pages:
        name = "planning-" + page.relative_to(d / "reports").as_posix().replace("/", "-")
        check = check_page(page, SHOTS / name.replace(".html", ".png"))
        assert check.console_errors == [], (page, check.console_errors)
        assert check.external_requests == [], (page, check.external_requests)
        assert check.text_length > 500 and check.screenshot_bytes > 20_000, page
