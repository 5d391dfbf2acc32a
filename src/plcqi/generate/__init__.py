"""The synthetic data generator: a complete, realistic landing folder (``plcqi generate``).

Built on the real reference facts (the 8 national centers, the 56 states/territories/DC and
their ACF regions, the 24 opportunities of the peer learning study's environmental scan), with
the behaviour the study describes: required attendance is high and optional attendance
sporadic, gaps of more than six weeks lose people, follow-up TA uptake is low (higher after
communities of practice), half the opportunities have no theory of change.

It writes every file of ``shared/contract/INPUTS.md`` under ``DIR/landing``, with realistic
but contract-valid mess, plus a small known share of contract-breaking rows that ingestion
must quarantine; ``DIR/generator_manifest.json`` lists each of them (file, 1-based data row,
blamed column, kind). The TA tracker's change rows are written as CSV exports
(``landing/ta_requests``) and, with ``tracker_dsn``, also into the Postgres table
``tracker.ta_requests``: the two are alternative sources of the same data (the table holds
the clean change rows; the injected bad rows exist only in the CSV exports).

Native exports (``--native``, ``plcqi.generate.native``): part of the event files are written
as the Zoom, Teams, Qualtrics, REDCap, SurveyMonkey and tracker-spreadsheet exports of
``shared/contract/SOURCES.md``, in per-center subfolders with their ``TIMEZONE`` (and
``COLUMNS.csv``) files; the manifest records each file's layout and the rows an adapter skips.

One ``random.Random(seed)`` drives every event: the same (seed, scale, as_of) gives the same
events whatever the native mode, and byte-identical files for the same mode. ``scale``
multiplies opportunities (new ids, same distribution) and grantees; below 1 it only shrinks
cohorts.
"""

from __future__ import annotations

import csv
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from plcqi.generate import mess, native, people, reference, surveys, tracker
from plcqi.generate.events import Attendance
from plcqi.generate.model import Opportunity
from plcqi.ingest.contract import contract_columns, dataset
from plcqi.ingest.rawzone import DEMO_MARKER, Zone

MANIFEST = "generator_manifest.json"
EVENT_DATASETS = ("ta_requests", "attendance", "polls", "surveys/midpoint", "surveys/six_month")


@dataclass
class GenerateSummary:
    data_dir: Path
    manifest_path: Path
    files: dict[str, int]  # path relative to landing -> data rows
    injected: int
    tracker_rows: int | None = None
    seconds: float = 0.0
    rows_by_dataset: dict[str, int] = field(default_factory=dict)
    native_files: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.files.values())


def _columns(name: str) -> list[str]:
    return [c.name for c in contract_columns(dataset(name))]


def _reference_rows(rng: random.Random, scale: float, as_of: date):
    centers = [[r["center_id"], r["center_name"], r["funding_office"]]
               for r in reference.centers()]
    grantees = reference.build_grantees(rng, scale)
    opps = reference.build_opportunities(rng, scale, as_of)
    ppl = people.People(rng)
    enrollments = people.enroll(rng, ppl, grantees, opps, scale)
    ref: dict[str, list[list[str]]] = {
        "centers": centers,
        "grantees": [[g.grantee_id, g.name, g.grantee_type, str(g.region)] for g in grantees],
        "opportunities": [_opportunity_row(o) for o in opps],
        "cohorts": [[c.cohort_id, c.opportunity_id, str(c.number), c.label]
                    for o in opps for c in o.cohorts],
        "sessions": [[s.session_id, s.cohort_id, str(s.number), s.session_type, s.title,
                      s.start.isoformat(), str(s.duration), s.status, ""]
                     for o in opps for c in o.cohorts for s in c.sessions],
        "participants": [[p.participant_id, p.grantee_id, p.full_name, p.email, p.organization,
                          p.role_title, _bool(p.is_lead_agency), _bool(p.is_contractor)]
                         for p in ppl.participants],
        "team_members": people.team_rows(opps),
        "enrollments": enrollments,
        "toc_targets": people.toc_rows(rng, opps),
    }
    return grantees, opps, ppl, ref


def _bool(v: bool) -> str:
    return "true" if v else "false"


def _opportunity_row(o: Opportunity) -> list[str]:
    return [o.opportunity_id, o.title, o.center_id, o.partner_center_ids, o.format, o.topic,
            o.intended_outcome, o.ta_type, o.participation_mode, o.attendance_expectation,
            "" if o.planned_sessions is None else str(o.planned_sessions),
            o.start_date.isoformat() if o.start_date else "",
            o.end_date.isoformat() if o.end_date else "", o.followup_offered]


def _write(path: Path, columns: list[str], rows: list[list[str]], style: mess.Style) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if style.bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if style.crlf else "\n")
        header = style.header or columns
        if style.extra:
            name, values = style.extra
            w.writerow([*header, name])
            w.writerows([*r, v] for r, v in zip(rows, values, strict=True))
        else:
            w.writerow(header)
            w.writerows(rows)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def generate(data_dir: Path, seed: int = 7, scale: float = 1.0, as_of: date | None = None,
             tracker_dsn: str | None = None, native_mode: str = "mix") -> GenerateSummary:
    """Write a complete landing folder under ``data_dir/landing`` and the manifest.

    ``native_mode`` (``plcqi.generate.native``): ``none`` writes contract CSVs only, ``all``
    every event file that has a native layout as that native export, ``mix`` (the demo) a
    realistic mix in which every layout appears. The events are the same in every mode.

    The files a previous run listed in its manifest are removed first (so a run with another
    as-of date leaves no stale monthly exports behind); other files already in the landing
    folder are left alone.
    """
    t0 = time.perf_counter()
    if scale <= 0:
        raise ValueError("scale must be > 0")
    as_of = as_of or date.today()
    data_dir = Path(data_dir)
    landing = data_dir / "landing"
    if native_mode not in native.MODES:
        raise ValueError(f"native_mode must be one of {', '.join(native.MODES)}")
    rng = random.Random(seed)

    grantees, opps, ppl, ref = _reference_rows(rng, scale, as_of)
    att = Attendance(rng, as_of)
    srv = surveys.Surveys(rng, as_of)
    for opp, cohort in people.all_cohorts(opps):
        att.cohort(opp, cohort)
        srv.cohort(opp, cohort, att.people[cohort.cohort_id])
    ta_rows = tracker.requests(rng, grantees, opps, att.grantees, as_of)
    # Native choices have a generator of their own: the events above never depend on them.
    plan = native.Plan(seed, opps, ppl.participants, att.people)
    for r in ref["sessions"]:
        r[8] = plan.session_meeting_id(r[0])
    for rows in att.polls.values():
        plan.contract_polls(rows)

    events: dict[str, list[list[str]]] = {}
    events.update(tracker.by_year(ta_rows))
    events.update(sorted(att.files.items()))
    events.update(sorted(att.polls.items()))
    events.update(sorted(srv.files.items()))
    clean_len = {p: len(r) for p, r in events.items()}
    mess.duplicate_exports(rng, events)
    known = mess.Known(
        grantees=dict.fromkeys(r[0] for r in ref["grantees"]),
        sessions=dict.fromkeys(r[0] for r in ref["sessions"]),
        cohorts=dict.fromkeys(r[0] for r in ref["cohorts"]),
    )
    injected = mess.Injector(rng, known).inject(events)
    columns = {ds: _columns(ds) for ds in EVENT_DATASETS}
    styles = mess.styles(rng, events, columns)
    parts = native.split(native_mode, plan, events, clean_len, injected,
                         {p: st.extra[1] for p, st in styles.items() if st.extra}, as_of)
    events, injected = parts.events, parts.injected
    for p, values in parts.extra.items():
        styles[p].extra = (styles[p].extra[0], values)

    manifest_path = data_dir / MANIFEST
    if manifest_path.exists():
        try:
            listed = json.loads(manifest_path.read_text(encoding="utf-8"))
            previous = [*listed.get("files", {}), *listed.get("control_files", [])]
        except (ValueError, AttributeError):
            previous = []
        for rel in previous:
            if ".." not in Path(rel).parts:
                (landing / rel).unlink(missing_ok=True)
    counts: dict[str, int] = {}
    for name, rows in ref.items():
        rel = f"reference/{name}.csv"
        _write(landing / rel, _columns(f"reference/{name}"), rows, mess.Style())
        counts[rel] = len(rows)
    for rel, rows in events.items():
        _write(landing / rel, columns[mess.dataset_of(rel)], rows, styles.get(rel, mess.Style()))
        counts[rel] = len(rows)
    layouts = dict.fromkeys(counts, native.CONTRACT)
    natives: dict[str, dict] = {}
    for nf in sorted(parts.natives, key=lambda f: f.rel):
        _write_bytes(landing / nf.rel, nf.data)
        counts[nf.rel] = nf.rows
        layouts[nf.rel] = nf.layout
        natives[nf.rel] = {"layout": nf.layout, "rows": nf.rows, "events": nf.events,
                           "skipped": dict(sorted(nf.skipped.items()))}
        if nf.form:
            natives[nf.rel]["form"] = nf.form
        if nf.session:
            natives[nf.rel]["session"] = nf.session
        if nf.source_rows != nf.events:
            natives[nf.rel]["source_rows"] = nf.source_rows
    for rel, data in sorted(parts.control.items()):
        _write_bytes(landing / rel, data)

    manifest = {"seed": seed, "scale": scale, "as_of": as_of.isoformat(), "native": native_mode,
                "files": counts, "layouts": layouts, "native_files": natives,
                "control_files": sorted(parts.control), "injected": injected,
                "demo_marker": DEMO_MARKER}
    # Synthetic data: the one landing folder the public demo key may pseudonymize.
    Zone(data_dir).demo_marker.write_text("written by plcqi generate: synthetic demo data\n")
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")

    tracker_rows = tracker.write_postgres(tracker_dsn, ta_rows) if tracker_dsn else None
    by_ds: dict[str, int] = {}
    for rel, n in counts.items():
        ds = mess.dataset_of(rel) if not rel.startswith("reference/") else rel[:-4]
        by_ds[ds] = by_ds.get(ds, 0) + n
    return GenerateSummary(data_dir, manifest_path, counts, len(injected), tracker_rows,
                           time.perf_counter() - t0, by_ds, len(parts.natives))
