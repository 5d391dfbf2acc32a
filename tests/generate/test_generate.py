"""The synthetic data generator: shape, validity, injected rows, behaviour, tracker table."""

from __future__ import annotations

import csv
import json
import os
import statistics
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from plcqi.generate import MANIFEST, generate
from plcqi.generate.mess import KINDS
from plcqi.ingest import contract
from plcqi.ingest.contract import DATASETS

AS_OF = date(2026, 6, 30)
PG_DSN = os.environ.get("PLCQI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


# ---------------------------------------------------------------- helpers


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header (trimmed, lower-case) and data rows, as ingestion reads the contract."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [h.strip().lower() for h in rows[0]], rows[1:]


def records(path: Path) -> list[dict[str, str]]:
    header, rows = read(path)
    return [dict(zip(header, r, strict=True)) for r in rows]


def files_of(landing: Path, ds: contract.Dataset) -> list[Path]:
    """The dataset's contract CSVs (the manifest names each file's layout; native exports,
    their control files and files the generator did not write are left out)."""
    layouts = json.loads((landing.parent / MANIFEST).read_text())["layouts"]
    return sorted(p for p in landing.glob(ds.landing)
                  if layouts.get(p.relative_to(landing).as_posix()) == "contract")


def _is_datetime(v: str) -> bool:
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


class Validator:
    """An independent reading of INPUTS.md: the reasons a row would be quarantined."""

    def __init__(self, landing: Path) -> None:
        self.landing = landing
        self.ref: dict[tuple[str, str], set[str]] = {}
        for ds in DATASETS:
            if ds.source == "reference":
                recs = records(landing / ds.landing)
                for c in ds.columns:
                    vals = {r[c.name].strip() for r in recs if r.get(c.name, "").strip()}
                    if c.name == "email":
                        vals = {v.lower() for v in vals}
                    self.ref[(ds.name, c.name)] = vals

    def cell(self, c: contract.Column, v: str) -> str | None:
        v = v.strip()
        if not v:
            return "required" if c.required else None
        if c.references:
            ref = self.ref[c.references]
            if (v.lower() if c.name == "email" else v) not in ref:
                return "unknown key"
        if c.type == contract.INT:
            try:
                n = int(v)
            except ValueError:
                return "not int"
            if (c.minimum is not None and n < c.minimum) or (
                    c.maximum is not None and n > c.maximum):
                return "out of range"
        elif c.type == contract.NUMBER:
            try:
                float(v)
            except ValueError:
                return "not number"
        elif c.type == contract.DATE:
            try:
                date.fromisoformat(v)
            except ValueError:
                return "not date"
        elif c.type == contract.DATETIME:
            if not _is_datetime(v):
                return "not datetime"
        elif c.type == contract.BOOL:
            if v.lower() not in ("true", "false", "yes", "no", "1", "0", "y", "n"):
                return "not bool"
        elif c.type == contract.ENUM:
            if v.lower() not in {x.lower() for x in c.values}:
                return "unknown enum"
        elif c.type == contract.ENUM_LIST and any(
                p.strip().lower() not in c.values for p in v.split(";")):
            return "unknown enum"
        return None

    def bad_rows(self, ds: contract.Dataset) -> dict[tuple[str, int], list[str]]:
        """(file relative to landing, 1-based row) -> blamed columns."""
        bad: dict[tuple[str, int], list[str]] = defaultdict(list)
        seen: dict[tuple, tuple] = {}
        for path in files_of(self.landing, ds):
            rel = path.relative_to(self.landing).as_posix()
            for n, r in enumerate(records(path), 1):
                why = [c.name for c in ds.columns if self.cell(c, r.get(c.name, ""))]
                g = {c.name: r.get(c.name, "").strip() for c in ds.columns}
                if ds.name == "attendance":
                    if _is_datetime(g["join_time"]) and _is_datetime(g["leave_time"]) and (
                            g["leave_time"] < g["join_time"]):
                        why.append("leave_time")
                    if not g["participant_id"] and not g["email"]:
                        why.append("participant_id")
                if ds.name == "ta_requests" and _is_datetime(g["submitted_at"]) and (
                        datetime.fromisoformat(g["updated_at"])
                        < datetime.fromisoformat(g["submitted_at"])):
                    why.append("updated_at")
                if ds.name == "polls" and g["scale"] == "likert5" and g["response_value"] not in (
                        "", "1", "2", "3", "4", "5"):
                    why.append("response_value")
                if ds.name == "reference/opportunities" and g["end_date"] and (
                        g["end_date"] < g["start_date"]):
                    why.append("end_date")
                if ds.key and not why:
                    k = tuple(g[c] for c in ds.key)
                    content = tuple(sorted(g.items()))
                    if k in seen and seen[k] != content:
                        why.append(ds.key[0])
                    seen.setdefault(k, content)
                if why:
                    bad[(rel, n)] = why
        return bad


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("gen")
    generate(d, seed=7, scale=1.0, as_of=AS_OF)
    return d


@pytest.fixture(scope="module")
def landing(demo) -> Path:
    return demo / "landing"


@pytest.fixture(scope="module")
def manifest(demo) -> dict:
    return json.loads((demo / MANIFEST).read_text())


@pytest.fixture(scope="module")
def ref(landing) -> dict[str, list[dict[str, str]]]:
    return {ds.name.split("/")[1]: records(landing / ds.landing)
            for ds in DATASETS if ds.source == "reference"}


def _bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- tests


def test_deterministic(tmp_path, demo):
    generate(tmp_path / "a", seed=7, scale=1.0, as_of=AS_OF)
    assert _bytes(tmp_path / "a") == _bytes(demo)
    generate(tmp_path / "b", seed=8, scale=1.0, as_of=AS_OF)
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert a != b
    assert a["landing/attendance/2025-01.csv"] != b.get("landing/attendance/2025-01.csv")


def test_every_contract_file_with_required_columns(landing, manifest):
    for ds in DATASETS:
        paths = files_of(landing, ds)
        assert paths, ds.landing
        for p in paths:
            header, rows = read(p)
            assert set(ds.required) <= set(header), p
            assert rows, p
            assert manifest["files"][p.relative_to(landing).as_posix()] == len(rows)
    assert len(files_of(landing, contract.dataset("attendance"))) > 12
    assert len(files_of(landing, contract.dataset("ta_requests"))) >= 3


def test_reference_facts(ref):
    assert len(ref["centers"]) == 8
    grantees = {g["grantee_id"]: g for g in ref["grantees"]}
    tribes = [g for g in grantees.values() if g["grantee_type"] == "tribe"]
    assert len(grantees) == 56 + len(tribes) and 8 <= len(tribes) <= 12
    assert all(g["grantee_id"].startswith("T-") for g in tribes)
    opps = {o["opportunity_id"]: o for o in ref["opportunities"]}
    assert len(opps) == 24
    assert opps["ES17"]["intended_outcome"] == "knowledge"  # "unknown" in the scan
    assert opps["ES17"]["ta_type"] == ""
    assert opps["ES12"]["partner_center_ids"] == "NCECQA"
    assert opps["ES05"]["followup_offered"] == "both"
    assert opps["ES02"]["followup_offered"] == "after_session"
    assert opps["ES01"]["followup_offered"] == "none"
    assert opps["ES09"]["followup_offered"] == "unknown"
    cohorts = defaultdict(int)
    for c in ref["cohorts"]:
        cohorts[c["opportunity_id"]] += 1
    assert cohorts["ES02"] == 3 and cohorts["ES06"] == 2 and cohorts["ES12"] == 1
    with_toc = {t["opportunity_id"] for t in ref["toc_targets"]}
    assert 8 <= len(with_toc) <= 16
    assert {t["metric"] for t in ref["toc_targets"]} <= set(contract.METRIC_KEYS)
    emails = [p["email"] for p in ref["participants"]]
    assert len(set(emails)) == len(emails)


def test_only_manifest_rows_break_the_contract(landing, manifest):
    v = Validator(landing)
    for ds in DATASETS:
        if ds.source == "reference":
            assert not v.bad_rows(ds), ds.name  # reference files are never injected
    found: dict[tuple[str, int], list[str]] = {}
    for ds in DATASETS:
        if ds.source != "reference":
            found.update(v.bad_rows(ds))
    listed = {(m["file"], m["row"]): m for m in manifest["injected"]}
    assert set(found) == set(listed)
    for key, cols in found.items():
        assert cols == [listed[key]["column"]], (key, cols, listed[key])


def test_manifest_kinds_and_share(landing, manifest):
    injected = manifest["injected"]
    assert {m["kind"] for m in injected} == set(KINDS)
    events = sum(n for f, n in manifest["files"].items() if not f.startswith("reference/"))
    assert 0.003 <= len(injected) / events <= 0.008
    assert manifest["seed"] == 7 and manifest["as_of"] == "2026-06-30"
    by_kind = defaultdict(list)
    for m in injected:
        by_kind[m["kind"]].append(m)
    assert any(m["file"].startswith("surveys/") for m in by_kind["likert_out_of_range"])
    assert any(m["file"].startswith("polls/") for m in by_kind["likert_out_of_range"])
    cache: dict[str, list[dict[str, str]]] = {}

    def row(m):
        recs = cache.setdefault(m["file"], records(landing / m["file"]))
        return recs, recs[m["row"] - 1]

    for m in by_kind["leave_before_join"]:
        _, r = row(m)
        assert r["leave_time"] < r["join_time"]
    for m in by_kind["duplicate_key_conflict"]:
        recs, r = row(m)
        key = ("response_id",) if m["file"].startswith("surveys/") else ("request_id",
                                                                           "updated_at")
        earlier = [x for x in recs[: m["row"] - 1] if all(x[k] == r[k] for k in key)]
        assert earlier and earlier[0] != r
    for m in by_kind["likert_out_of_range"]:
        _, r = row(m)
        assert r[m["column"]] not in ("1", "2", "3", "4", "5", "")


def test_valid_mess_is_present(landing):
    raw = {p.relative_to(landing).as_posix(): p.read_bytes() for p in landing.rglob("*.csv")}
    assert any(b.startswith(b"\xef\xbb\xbf") for b in raw.values())
    assert any(b"\r\n" in b for b in raw.values())
    assert any(b.split(b"\n", 1)[0].startswith(b"  RESPONSE_ID ") for b in raw.values())
    assert any(b"connection_type" in b.split(b"\n", 1)[0] for b in raw.values())
    att = [r for p in files_of(landing, contract.dataset("attendance")) for r in records(p)]
    email_only = [r for r in att if not r["participant_id"]]
    assert email_only and any(r["email"] != r["email"].lower() for r in email_only)
    per_person = defaultdict(int)
    for r in att:
        per_person[(r["session_id"], r["participant_id"] or r["email"].lower())] += 1
    assert sum(1 for n in per_person.values() if n > 1) > 100  # reconnects, breakout rooms
    assert any(n for f, n in _exact_cross_file_duplicates(landing).items())
    polls = [r for p in files_of(landing, contract.dataset("polls")) for r in records(p)]
    assert any(not r["participant_id"] for r in polls)
    survey = [r for p in files_of(landing, contract.dataset("surveys/six_month"))
              for r in records(p)]
    assert any(not r["knowledge_gain"] for r in survey)
    assert any(not r["participant_id"] for r in survey)
    assert any("@" in r["comments"] for r in survey + [
        r for p in files_of(landing, contract.dataset("surveys/midpoint")) for r in records(p)])
    ta = [r for p in files_of(landing, contract.dataset("ta_requests")) for r in records(p)]
    by_req = defaultdict(list)
    for r in ta:
        by_req[r["request_id"]].append(r)
    multi = [rs for rs in by_req.values() if len(rs) >= 3]
    assert len(multi) > len(by_req) / 3
    assert all(len({r["submitted_at"] for r in rs}) == 1 for rs in multi)
    assert any(r["plan_status"] == "withdrawn" for r in ta)


def _exact_cross_file_duplicates(landing: Path) -> dict[str, int]:
    seen: dict[tuple, str] = {}
    dup: dict[str, int] = defaultdict(int)
    for p in files_of(landing, contract.dataset("attendance")):
        _, rows = read(p)
        for r in rows:
            t = tuple(r[:5])
            if t in seen and seen[t] != p.name:
                dup[p.name] += 1
            seen.setdefault(t, p.name)
    return dup


def _attendance_by_cohort(landing, ref):
    sessions = {s["session_id"]: s for s in ref["sessions"]}
    pid_of_email = {p["email"].lower(): p["participant_id"] for p in ref["participants"]}
    grantee_of = {p["participant_id"]: p["grantee_id"] for p in ref["participants"]}
    attended: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for p in files_of(landing, contract.dataset("attendance")):
        for r in records(p):
            s = sessions.get(r["session_id"])
            if s is None or not _is_datetime(r["join_time"]):
                continue
            pid = r["participant_id"] or pid_of_email[r["email"].lower()]
            attended[s["cohort_id"]][grantee_of[pid]].add(r["session_id"])
    return attended


def test_behaviour_attendance(landing, ref):
    opps = {o["opportunity_id"]: o for o in ref["opportunities"]}
    opp_of = {c["cohort_id"]: opps[c["opportunity_id"]] for c in ref["cohorts"]}
    delivered = defaultdict(list)
    for s in ref["sessions"]:
        if s["status"] == "delivered" and s["scheduled_start"][:10] <= AS_OF.isoformat():
            delivered[s["cohort_id"]].append(s)
    attended = _attendance_by_cohort(landing, ref)
    rates = defaultdict(list)
    for cid, by_grantee in attended.items():
        n = len(delivered[cid])
        for sessions in by_grantee.values():
            rates[opp_of[cid]["attendance_expectation"]].append(len(sessions) / n)
    required, optional = statistics.mean(rates["all_sessions"]), statistics.mean(
        rates["optional"])
    assert 0.78 <= required <= 0.95
    assert 0.35 <= optional <= 0.65
    assert required - optional > 0.2
    gaps = []
    for ss in delivered.values():
        days = sorted(date.fromisoformat(s["scheduled_start"][:10]) for s in ss)
        gaps.append(max((b - a).days for a, b in zip(days, days[1:], strict=False)))
    assert sum(g > 42 for g in gaps) >= 3 and sum(g <= 42 for g in gaps) > len(gaps) / 2
    assert any(s["status"] == "cancelled" for s in ref["sessions"])
    assert any(s["status"] == "scheduled" for s in ref["sessions"])
    assert all(s["scheduled_start"][:10] > AS_OF.isoformat()
               for s in ref["sessions"] if s["status"] == "scheduled")
    assert min(int(s["duration_minutes"]) for s in ref["sessions"]) >= 60
    assert max(int(s["duration_minutes"]) for s in ref["sessions"]) <= 120


def test_behaviour_timeline_and_followup(landing, ref):
    opps = {o["opportunity_id"]: o for o in ref["opportunities"]}
    ongoing = [o for o in opps.values() if not o["end_date"]]
    assert ongoing and all(o["format"] in ("CoP", "OpenSpace") for o in ongoing)
    ends = _cohort_ends(ref)
    complete = [c for c, e in ends.items() if (AS_OF - e).days >= 182]
    open_window = [c for c, e in ends.items() if (AS_OF - e).days < 182]
    assert len(complete) > len(ends) / 2 and open_window
    first = min(date.fromisoformat(o["start_date"]) for o in opps.values())
    assert AS_OF - first < timedelta(days=4 * 365)

    took = _uptake(landing, ref, complete, ends)
    assert 0.05 <= statistics.mean(took[True] + took[False]) <= 0.4  # "limited"


def _cohort_ends(ref) -> dict[str, date]:
    opps = {o["opportunity_id"]: o for o in ref["opportunities"]}
    last: dict[str, date] = {}
    for s in ref["sessions"]:
        if s["status"] == "delivered":
            d = date.fromisoformat(s["scheduled_start"][:10])
            last[s["cohort_id"]] = max(last.get(s["cohort_id"], d), d)
    return {c["cohort_id"]: last[c["cohort_id"]] for c in ref["cohorts"]
            if opps[c["opportunity_id"]]["end_date"]}


def _uptake(landing, ref, complete, ends) -> dict[bool, list[bool]]:
    """Participating grantees of cohorts with a complete window: took up related TA? (by CoP)"""
    opps = {o["opportunity_id"]: o for o in ref["opportunities"]}
    ta = [r for p in files_of(landing, contract.dataset("ta_requests")) for r in records(p)]
    current: dict[str, dict[str, str]] = {}
    for r in ta:
        if _is_datetime(r["submitted_at"]) and r["updated_at"] >= current.get(
                r["request_id"], {}).get("updated_at", ""):
            current[r["request_id"]] = r
    reqs = [r for r in current.values() if r["plan_status"] != "withdrawn"]
    grantees = {g["grantee_id"] for g in ref["grantees"]}
    assert len({r["grantee_id"] for r in reqs} & grantees) > 0.9 * len(grantees)  # baseline
    assert any(r["source_opportunity_id"] and r["topic"] != opps[r["source_opportunity_id"]][
        "topic"] for r in reqs if r["source_opportunity_id"] in opps)
    by_grantee = defaultdict(list)
    for r in reqs:
        by_grantee[r["grantee_id"]].append(r)
    cohort_opp = {c["cohort_id"]: opps[c["opportunity_id"]] for c in ref["cohorts"]}
    attended = _attendance_by_cohort(landing, ref)
    took = defaultdict(list)
    for cid in complete:
        o, end = cohort_opp[cid], ends[cid]
        for g in attended[cid]:
            hit = any((r["topic"] == o["topic"] or r["source_opportunity_id"] == o[
                "opportunity_id"]) and end < date.fromisoformat(r["submitted_at"][:10])
                <= end + timedelta(days=182) for r in by_grantee[g])
            took[o["format"] == "CoP"].append(hit)
    return took


def test_followup_uptake_higher_after_communities_of_practice(tmp_path):
    generate(tmp_path, seed=7, scale=3, as_of=AS_OF)  # > 1: enough CoP grantees to compare
    landing = tmp_path / "landing"
    ref = {ds.name.split("/")[1]: records(landing / ds.landing)
           for ds in DATASETS if ds.source == "reference"}
    ends = _cohort_ends(ref)
    complete = [c for c, e in ends.items() if (AS_OF - e).days >= 182]
    took = _uptake(landing, ref, complete, ends)
    cop, other = statistics.mean(took[True]), statistics.mean(took[False])
    assert len(took[True]) > 40
    assert cop > other + 0.1
    assert other <= 0.3


def test_scale_grows_and_small_scale_works(tmp_path):
    small = generate(tmp_path / "s", seed=3, scale=0.5, as_of=AS_OF)
    big = generate(tmp_path / "b", seed=3, scale=2, as_of=AS_OF)
    assert big.rows_by_dataset["attendance"] > 1.5 * small.rows_by_dataset["attendance"]
    assert big.rows_by_dataset["reference/opportunities"] == 48
    assert big.rows_by_dataset["reference/grantees"] == 2 * 67
    v = Validator(tmp_path / "b" / "landing")
    listed = {(m["file"], m["row"]) for m in json.loads(
        (tmp_path / "b" / MANIFEST).read_text())["injected"]}
    found = {}
    for ds in DATASETS:
        found.update(v.bad_rows(ds))
    assert set(found) == listed


def test_cli(tmp_path):
    from click.testing import CliRunner

    from plcqi.cli.generate import generate_command

    result = CliRunner().invoke(generate_command, [
        "--data-dir", str(tmp_path), "--seed", "7", "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "attendance" in result.output
    assert json.loads((tmp_path / MANIFEST).read_text())["as_of"] == "2026-06-30"


@pytest.fixture
def pg_dsn():
    psycopg = pytest.importorskip("psycopg")
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"plcqi_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_DSN, autocommit=True)
    except psycopg.OperationalError as e:
        pytest.skip(f"no PostgreSQL at {PG_DSN}: {e}")
    try:
        admin.execute(f'create database "{name}"')
        params = conninfo_to_dict(PG_DSN)
        params["dbname"] = name
        yield make_conninfo(**params)
    finally:
        admin.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@pytest.mark.postgres
def test_tracker_dsn(tmp_path, pg_dsn):
    import psycopg

    for _ in range(2):  # idempotent: the second run replaces the first one's rows
        s = generate(tmp_path, seed=7, scale=0.5, as_of=AS_OF, tracker_dsn=pg_dsn)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    csv_rows = sum(n for f, n in manifest["files"].items() if f.startswith("ta_requests/"))
    bad = sum(1 for m in manifest["injected"] if m["file"].startswith("ta_requests/"))
    assert s.tracker_rows == csv_rows - bad
    with psycopg.connect(pg_dsn) as conn:
        n, latest, types = conn.execute(
            "select count(*), max(updated_at), "
            "(select string_agg(data_type, ',' order by ordinal_position) "
            " from information_schema.columns where table_schema = 'tracker' "
            " and table_name = 'ta_requests') from tracker.ta_requests").fetchone()
    assert n == csv_rows - bad
    assert latest.date() <= AS_OF and latest.tzinfo is not None
    assert types.split(",")[2] == "timestamp with time zone"
    assert types.split(",")[-1] == "timestamp with time zone"


def test_rerun_removes_its_own_stale_files(tmp_path):
    generate(tmp_path, seed=7, scale=0.5, as_of=AS_OF)
    mine = tmp_path / "landing" / "attendance" / "notes.csv"
    mine.write_text("kept\n")
    generate(tmp_path, seed=7, scale=0.5, as_of=date(2025, 6, 30))
    months = [p.stem for p in (tmp_path / "landing" / "attendance").glob("20*.csv")]
    assert months and max(months) <= "2025-06"
    assert mine.exists()


def test_survey_response_rates_are_realistic(landing, ref):
    attended = _attendance_by_cohort(landing, ref)
    for wave in ("midpoint", "six_month"):
        answered = defaultdict(set)
        for p in files_of(landing, contract.dataset(f"surveys/{wave}")):
            for r in records(p):
                answered[r["cohort_id"]].add(r["grantee_id"])
        rates = [len(answered[c] & set(attended[c])) / len(attended[c])
                 for c in answered if attended.get(c)]
        assert 0.4 <= statistics.mean(rates) <= 0.8, wave


def test_plan_stages_follow_the_planning_calendar():
    """Most plans are intermediate within 14 days of initial and final within 14 more; some
    are late, a few skip intermediate, are re-opened or withdrawn, and a few stall: no change
    for 91-360 days before the as-of date while initial or intermediate. Seeded: the same
    draws give the same timelines."""
    import random

    from plcqi.generate import tracker

    submitted = [datetime(2023, 1, 1, 14) + timedelta(days=i % 1200, hours=i % 7)
                 for i in range(4000)]
    lines = [tracker._timeline(random.Random(i), s, AS_OF) for i, s in enumerate(submitted)]
    assert lines == [tracker._timeline(random.Random(i), s, AS_OF)
                     for i, s in enumerate(submitted)]
    assert all(ls[0] == ("initial", s) for ls, s in zip(lines, submitted, strict=True))
    assert all(a[1] < b[1] for ls in lines for a, b in zip(ls, ls[1:], strict=False))

    def days(ls, a, b):
        first = {}
        for status, t in ls:
            first.setdefault(status, t)
        return (first[b] - first[a]).days if a in first and b in first else None

    to_intermediate = [d for ls in lines if (d := days(ls, "initial", "intermediate")) is not None]
    to_final = [d for ls in lines if (d := days(ls, "intermediate", "final")) is not None]
    late = [d > 14 for d in to_intermediate + to_final]
    assert 0.05 < sum(late) / len(late) < 0.15  # per stage: about one plan in six on either
    assert statistics.median(to_intermediate) <= 14 and statistics.median(to_final) <= 14
    statuses = [[s for s, _ in ls] for ls in lines]
    skipped = [s for s in statuses if "final" in s and "intermediate" not in s]
    reopened = [s for s in statuses if any(
        a == "final" and b == "intermediate" for a, b in zip(s, s[1:], strict=False))]
    withdrawn = [s for s in statuses if s[-1] == "withdrawn"]
    assert 0.01 < len(skipped) / len(lines) < 0.08
    assert 0.01 < len(reopened) / len(lines) < 0.08
    assert 0.03 < len(withdrawn) / len(lines) < 0.2
    stalled = [ls for ls in lines if ls[-1][0] in ("initial", "intermediate")]
    idle = [(AS_OF - ls[-1][1].date()).days for ls in stalled]
    assert stalled and all(91 <= d <= 360 for d in idle)
    assert len(stalled) / len(lines) < 0.15
