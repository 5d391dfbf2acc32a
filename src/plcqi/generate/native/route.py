"""The split: which unit of the generator's events (a session's attendance or poll, a survey
wave of a cohort, a tracker year) the mode writes natively, the file each becomes, and the
contract rows that remain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from plcqi.generate.native.plan import MODES, Plan
from plcqi.generate.native.qualtrics import qualtrics
from plcqi.generate.native.redcap import redcap
from plcqi.generate.native.survey_items import items as survey_items
from plcqi.generate.native.surveymonkey import surveymonkey
from plcqi.generate.native.teams import Teams
from plcqi.generate.native.tracker import export as tracker_export
from plcqi.generate.native.write import Ambiguous, NativeFile, stream
from plcqi.generate.native.zoom import Zoom
from plcqi.generate.native.zoom_polls import ZoomPolls


@dataclass
class Split:
    events: dict[str, list[list[str]]]  # the contract files that remain
    extra: dict[str, list[str]]  # per remaining file: its unexpected column's values
    injected: list[dict]  # renumbered for the remaining files
    natives: list[NativeFile]
    control: dict[str, bytes]  # TIMEZONE and COLUMNS.csv files


class Writer:
    """Builds one native file from a unit's clean contract rows (None: it stays a CSV)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.zoom = Zoom(plan)
        self.teams = Teams(plan)
        self.polls = ZoomPolls(plan)

    def attendance(self, sid: str, rows: list[list[str]]) -> NativeFile | None:
        plan = self.plan
        s = plan.sessions[sid]
        center = plan.center_of[sid]
        tz = ZoneInfo(plan.tz[center])
        r = stream(plan.seed, "attendance", sid)
        try:
            if plan.platform[center] == "teams":
                return self.teams.meeting(sid, s, center, tz, rows, r)
            return self.zoom.meeting(sid, s, center, tz, rows, r)
        except Ambiguous:
            return None

    def poll(self, sid: str, rows: list[list[str]]) -> NativeFile | None:
        return self.polls.poll(sid, rows)

    def survey(
        self, wave: str, cohort: str, rows: list[list[str]]
    ) -> tuple[NativeFile, dict[str, bytes]] | None:
        plan = self.plan
        center = plan.center_of[cohort]
        tool = plan.survey_tool[center]
        tz = ZoneInfo(plan.tz[center])
        r = stream(plan.seed, "survey", wave, cohort)
        items = survey_items(wave)
        try:
            if tool == "qualtrics":
                return qualtrics(plan, wave, cohort, center, rows, items, r), {}
            if tool == "redcap":
                return redcap(plan, wave, cohort, center, tz, rows, items, r), {}
            return surveymonkey(plan, wave, cohort, center, tz, rows, items, r)
        except Ambiguous:
            return None

    @staticmethod
    def tracker(
        path: str, rows: list[list[str]], as_of: date
    ) -> tuple[NativeFile, dict[str, bytes]]:
        return tracker_export(path, rows, as_of)


def _dataset(path: str) -> str:
    from plcqi.generate.mess import dataset_of

    return dataset_of(path)


def _unit(ds: str, path: str, row: list[str]) -> tuple:
    if ds in ("attendance", "polls"):
        return (ds, row[0])
    if ds.startswith("surveys/"):
        return ("surveys", ds.split("/")[1], row[1])
    return ("ta_requests", path)


def split(
    mode: str,
    plan: Plan,
    events: dict[str, list[list[str]]],
    clean_len: dict[str, int],
    injected: list[dict],
    extra: dict[str, list[str]],
    as_of: date,
) -> Split:
    """Write the native part of ``events``: every unit the mode wants natively becomes a
    native file, made of its clean first-export rows; the rest stays as contract CSVs."""
    if mode not in MODES:
        raise ValueError(f"native must be one of {', '.join(MODES)}")
    bad = {(m["file"], m["row"]) for m in injected}
    pinned: set[tuple[str, int]] = set()  # (file, 1-based row) the conflict copies
    for m in injected:
        if m["kind"] != "duplicate_key_conflict":
            continue
        rows = events[m["file"]]
        cols = (0, 8) if m["file"].startswith("ta_requests/") else (0,)
        dup = rows[m["row"] - 1]
        pinned |= {
            (m["file"], n)
            for n, r in enumerate(rows[: m["row"] - 1], 1)
            if (m["file"], n) not in bad and all(r[c] == dup[c] for c in cols)
        }
    groups: dict[tuple, list[tuple[str, int]]] = defaultdict(list)
    for path, rows in events.items():
        ds = _dataset(path)
        k = 0
        for n, row in enumerate(rows, 1):
            if (path, n) in bad:
                continue
            k += 1
            if k > clean_len.get(path, 0) or (path, n) in pinned:
                continue  # a re-exported duplicate, or the row a conflict copies
            if ds.startswith("surveys/") and not row[3]:
                continue  # anonymous: a native export without an e-mail is quarantined

            groups[_unit(ds, path, row)].append((path, n))
    plan.choose_mix(groups, sorted(p for p in events if p.startswith("ta_requests/")))
    writer = Writer(plan)
    natives: list[NativeFile] = []
    control: dict[str, bytes] = {}
    moved: set[tuple[str, int]] = set()
    order = sorted(
        groups,
        key=lambda u: (
            u[0],
            plan.sessions[u[1]].start.isoformat() if u[0] in ("attendance", "polls") else "",
            u,
        ),
    )
    for unit in order:
        if not plan.wanted(mode, unit):
            continue
        members = groups[unit]
        rows = [events[p][n - 1] for p, n in members]
        made = _make(writer, plan, unit, rows, as_of)
        if made is None:
            continue
        nf, files = made
        nf.source_rows = len(rows)
        if unit[0] in ("attendance", "polls"):
            nf.session = unit[1]
        natives.append(nf)
        control.update(files)
        moved |= set(members)
        control.update(_timezone(plan, unit, nf.rel))
    out_events: dict[str, list[list[str]]] = {}
    out_extra: dict[str, list[str]] = {}
    renumber: dict[tuple[str, int], tuple[str, int]] = {}
    into = _thinned(events, moved, bad)
    for path, rows in events.items():
        target = into.get(path, path)
        kept = out_events.setdefault(target, [])
        values = out_extra.setdefault(target, []) if target in extra else None
        for n, row in enumerate(rows, 1):
            if (path, n) in moved:
                continue
            kept.append(row)
            renumber[(path, n)] = (target, len(kept))
            if values is not None:
                values.append(extra[path][n - 1] if path in extra else "")
    out_events = {p: rows for p, rows in out_events.items() if rows}
    out_extra = {p: v for p, v in out_extra.items() if p in out_events}
    inj = [
        {**m, "file": renumber[(m["file"], m["row"])][0], "row": renumber[(m["file"], m["row"])][1]}
        for m in injected
    ]
    return Split(out_events, out_extra, inj, natives, control)


# A contract export that lost most of its rows to native files is folded into the one
# before: a real center's export keeps its size, and the raw volume gate judges it so.
THIN_SHARE = 0.3


def _thinned(
    events: dict[str, list[list[str]]], moved: set[tuple[str, int]], bad: set[tuple[str, int]]
) -> dict[str, str]:
    """Contract files of attendance, polls and TA requests left with under ``THIN_SHARE`` of
    their good rows (moved to native files), each mapped to the kept file it is folded into
    (the previous one of its dataset)."""
    into: dict[str, str] = {}
    previous: dict[str, str] = {}
    for path in sorted(events):
        ds = _dataset(path)
        if ds not in ("attendance", "polls", "ta_requests"):
            continue
        rows = events[path]
        good = [n for n in range(1, len(rows) + 1) if (path, n) not in bad]
        left = [n for n in good if (path, n) not in moved]
        if good and len(left) < THIN_SHARE * len(good) and ds in previous:
            into[path] = previous[ds]
        else:
            previous[ds] = path
    return into


def _make(
    writer: Writer, plan: Plan, unit: tuple, rows: list[list[str]], as_of: date
) -> tuple[NativeFile, dict[str, bytes]] | None:
    if unit[0] == "attendance":
        nf = writer.attendance(unit[1], rows)
        return (nf, {}) if nf else None
    if unit[0] == "polls":
        nf = writer.poll(unit[1], rows)
        return (nf, {}) if nf else None
    if unit[0] == "surveys":
        return writer.survey(unit[1], unit[2], rows)
    return writer.tracker(unit[1], rows, as_of)


def _timezone(plan: Plan, unit: tuple, rel: str) -> dict[str, bytes]:
    """The center subfolder's TIMEZONE: the zone its exports' local times are in."""
    if unit[0] == "ta_requests":
        return {}
    parts = rel.split("/")
    center_dir = "/".join(parts[:3] if unit[0] == "surveys" else parts[:2])
    center = parts[2] if unit[0] == "surveys" else parts[1]
    return {f"{center_dir}/TIMEZONE": f"{plan.tz[center]}\n".encode()}
