"""Data-quality facts for the reports: quarantined rows by reason, the quality gates' results
(``quality/latest.json``), the last dbt build's failures (its ``run_results.json``) and
freshness per source (the ingest log). Every part is optional:
a missing file gives an empty part and a sentence saying so, never an error. The
data-quality page shows the gates' failing rows over every source; a center report only names
the checks (``for_center``) and shows its own sessions' and cohorts' files, quarantined rows
and rejections (``center_section``)."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date
from pathlib import Path

import duckdb

from plcqi import paths
from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone, parquet_list
from plcqi.publish import cells
from plcqi.publish.safety import redact
from plcqi.publish.tables import column, table
from plcqi.sql import ident, literal

_QUOTED_RE = re.compile(r"'[^']*'")


def generic_reason(reason: str) -> str:
    """A quarantine reason without the offending value, so reasons group and a report names
    no id of another center.

    >>> generic_reason("unknown session_id 'ES02-C1-S97' (not in reference/sessions)")
    "unknown session_id '…' (not in reference/sessions)"
    """
    return redact(_QUOTED_RE.sub("'…'", reason or ""))


def quarantine_rows(data_dir: Path) -> list[dict]:
    """Per dataset, column and reason: quarantined rows and the files they came from."""
    zone = Zone(Path(data_dir))
    root = zone.root / "quarantine"
    files = zone.quarantine_files()
    if not files:
        return []
    con = duckdb.connect()
    try:
        listing = parquet_list(files)
        found = con.execute(
            f"select filename, _file, _row, \"column\", reason "
            f"from read_parquet({listing}, filename = true, union_by_name = true)"
        ).fetchall()
    finally:
        con.close()
    groups: dict[tuple[str, str, str], dict] = {}
    for filename, file, row, col, reason in found:
        dataset = str(Path(filename).relative_to(root).parent)
        key = (dataset, col or "", generic_reason(reason))
        g = groups.setdefault(key, {"rows": set(), "files": set()})
        g["rows"].add((file, row))
        g["files"].add(file)
    return [
        {"dataset": d, "column": c, "reason": r, "rows": len(g["rows"]), "files": len(g["files"])}
        for (d, c, r), g in sorted(groups.items(), key=lambda kv: (-len(kv[1]["rows"]), kv[0]))
    ]


# The event time of each event source: what "fresh" means for it.
EVENT_TIME = {"attendance": "join_time", "polls": "submitted_at",
              "surveys/midpoint": "submitted_at", "surveys/six_month": "submitted_at",
              "ta_requests": "updated_at"}


def newest_event(data_dir: Path, dataset: str, as_of: date) -> date | None:
    """The newest event on or before the as-of date in the raw zone of an event source."""
    col = EVENT_TIME.get(dataset)
    files = Zone(Path(data_dir)).raw_files(dataset)
    if col is None or not files:
        return None
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        listing = parquet_list(files)
        value = con.execute(
            f"select max(cast({ident(col)} as date)) from read_parquet({listing}, "
            f"union_by_name = true) where cast({ident(col)} as date) <= ?", [as_of]).fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    return value


def freshness(data_dir: Path, as_of: date) -> list[dict]:
    """Per dataset of the ingest log: files, rows, rejected files, last load, and for event
    sources the newest event on or before the as-of date."""
    zone = Zone(Path(data_dir))
    per: dict[str, dict] = {}
    for ds in contract.DATASETS:
        records = zone.records(ds.name)
        if not records:
            continue
        current = zone.current_records(ds.name)
        per[ds.name] = {
            "files": len(current),
            "rejected": sum(r.status == "rejected" for r in zone.verdicts(ds.name)),
            "rows_loaded": sum(r.rows_loaded for r in current),
            "rows_quarantined": sum(r.rows_quarantined for r in current),
            "rows_skipped": sum(r.rows_skipped for r in current),
            "last": max(str(r.loaded_at or "") for r in records),
        }
    out = []
    for dataset, d in sorted(per.items()):
        newest = newest_event(data_dir, dataset, as_of)
        out.append({
            "dataset": dataset, **d, "last_loaded_on": d["last"][:10] or None,
            "newest_event_on": newest.isoformat() if newest else None,
            "days_before_as_of": (as_of - newest).days if newest else None,
        })
    return out


def gates(data_dir: Path, as_of: date) -> dict:
    """The quality gates' latest results (``quality/latest.json``, one per stage): overall
    status, per suite status, and the failed expectations, errors first. A stage validated
    for another as-of date than the report's is named as such: its result is not this
    report's."""
    from plcqi.quality.store import read_latest

    try:
        latest = read_latest(data_dir)
    except (OSError, ValueError, KeyError, TypeError) as e:
        return {"available": False, "status": "none", "success": None, "run_at": "",
                "message": f"quality results unreadable: {e}", "suites": [], "problems": [],
                "stale": []}
    if not latest:
        return {"available": False, "status": "none", "success": None, "run_at": "",
                "message": "no quality results yet", "suites": [], "problems": [],
                "stale": []}
    suites, problems, errors, warnings, stale = [], [], 0, 0, []
    for stage, r in sorted(latest.items()):
        if r.as_of != as_of.isoformat():
            stale.append(f"{stage} (validated as of {r.as_of or 'an unknown date'})")
        for sm in r.suites:
            suites.append({"name": f"{stage}/{sm.suite}", "success": not sm.errors,
                           "checks": sm.expectations, "failed": sm.errors})
        for f in r.errors + r.warnings:
            errors += f.severity == "error"
            warnings += f.severity == "warning"
            problems.append({
                "suite": f"{stage}/{f.suite}",
                "expectation": f.expectation,
                "column": f.column or "",
                "severity": f.severity,
                "detail": redact(f.message or str(f.observed or ""))[:300],
                "summary": _summary(f),
            })
    problems.sort(key=lambda p: (p["severity"] != "error", p["suite"]))
    message = (f"{errors} gate error(s): publication stops" if errors
               else f"all gates passed, {warnings} warning(s)" if warnings
               else "all gates passed")
    if stale:
        message += "; not validated for this as-of date: " + ", ".join(stale)
    return {"available": True, "status": "failed" if errors else "ok", "success": not errors,
            "message": message, "run_at": max(r.validated_at for r in latest.values())[:19],
            "suites": suites, "problems": problems, "stale": stale}


def _summary(f) -> str:
    """A finding without its rows or observed values (which may name another center's
    cohorts): how many rows, and what was expected.

    >>> from plcqi.quality.result import Finding
    >>> _summary(Finding("marts.x", "expect_column_values_to_be_between", "value", "warning",
    ...                  False, unexpected_count=2, element_count=40,
    ...                  description="rates within [0, 1]"))
    '2 of 40 rows - expected: rates within [0, 1]'
    """
    text = (f"{f.unexpected_count} of {f.element_count} rows"
            if f.unexpected_count is not None and f.element_count is not None else "failed")
    return f"{text} - expected: {f.description}" if f.description else text


def _run_results(data_dir: Path) -> list[dict]:
    """Every dbt target's last run results (``DATA_DIR/dbt/target/<target>/``), readable."""
    from plcqi.transform.build import TARGETS

    found = []
    for target in TARGETS:
        path = paths.dbt_target_dir(data_dir, target) / "run_results.json"
        try:
            found.append({"target": target, **json.loads(path.read_text())})
        except (OSError, ValueError):
            continue
    return found


def _dbt_detail(message: str | None) -> str:
    """A failing node's message in one line, without quoted values (file paths, data).

    >>> _dbt_detail("Runtime Error in model m (models/m.sql)\\n  Parser Error: near 'x'")
    "Runtime Error in model m (models/m.sql): Parser Error: near '…'"
    """
    lines = [ln.strip() for ln in (message or "").splitlines() if ln.strip()]
    return generic_reason(": ".join(lines[:2]))[:300]


def dbt_build(data_dir: Path, as_of: date) -> dict:
    """The last dbt build for ``as_of`` (of any target): when it ran, and the nodes that
    failed (models in error, tests that failed) and were skipped because of them."""
    builds = [r for r in _run_results(Path(data_dir))
              if (r.get("args") or {}).get("which") == "build"
              and str(((r.get("args") or {}).get("vars") or {}).get("as_of_date", ""))[:10]
              == as_of.isoformat()]
    if not builds:
        return {"available": False, "failed": [], "skipped": 0, "message": ""}
    last = max(builds, key=lambda r: (r.get("metadata") or {}).get("generated_at", ""))
    results = last.get("results") or []
    failed = [{"node": str(r.get("unique_id", "?")).split(".", 1)[0] + " "
               + str(r.get("unique_id", "?")).rsplit(".", 1)[-1],
               "status": str(r.get("status")), "detail": _dbt_detail(r.get("message"))}
              for r in results if r.get("status") in ("error", "fail", "runtime error")]
    skipped = sum(r.get("status") == "skipped" for r in results)
    at = str((last.get("metadata") or {}).get("generated_at", ""))[:19]
    message = (f"the dbt build ({last['target']}) of {at} failed: {len(failed)} node(s) "
               f"failed, {skipped} skipped because of them" if failed
               else f"the dbt build ({last['target']}) of {at} passed")
    return {"available": True, "at": at, "failed": failed, "skipped": skipped,
            "message": message, "success": not failed}


def last_as_of(data_dir: Path | str) -> date | None:
    """The newest as-of date a quality gate or a dbt build ran for: the data-quality page to
    write when a run stops before its as-of date is otherwise known."""
    from plcqi.quality.store import read_latest_dicts

    found: list[str] = []
    with contextlib.suppress(OSError, ValueError, AttributeError):
        found += [str(r.get("as_of") or "") for r in read_latest_dicts(Path(data_dir)).values()]
    found += [str(((r.get("args") or {}).get("vars") or {}).get("as_of_date", ""))
              for r in _run_results(Path(data_dir))]
    dates = []
    for text in found:
        try:
            dates.append(date.fromisoformat(text[:10]))
        except ValueError:
            continue
    return max(dates, default=None)


def _problems_table(prefix: str, problems: list[dict], *, row_details: bool) -> dict:
    detail = "detail" if row_details else "summary"
    return table(
        f"{prefix}-gates", "Failed checks and warnings from the quality gates",
        [column("suite", "Suite"), column("expectation", "Check"), column("column", "Column"),
         column("severity", "Severity"), column("detail", "Detail")],
        [{"suite": cells.text_cell(p["suite"]), "expectation": cells.text_cell(p["expectation"]),
          "column": cells.text_cell(p["column"]), "severity": cells.text_cell(p["severity"]),
          "detail": cells.text_cell(p[detail])} for p in problems],
    )


def for_center(ctx: dict) -> dict:
    """The data-quality section of a center report: the same figures, with the gates' failed
    checks named but not their rows (a failing row may be another center's)."""
    return {**ctx, "gate_problems": _problems_table(ctx["prefix"], ctx["problems"],
                                                    row_details=False)}


def context(data_dir: Path, as_of: date, *, prefix: str) -> dict:
    """The data-quality section: three tables and the gate status, ready for the template."""
    data_dir = Path(data_dir)
    q = quarantine_rows(data_dir)
    f = freshness(data_dir, as_of)
    g = gates(data_dir, as_of)
    build = dbt_build(data_dir, as_of)
    dbt_table = table(
        f"{prefix}-dbt", "Failed dbt models and tests of the last build",
        [column("node", "Node"), column("status", "Status"), column("detail", "Detail")],
        [{"node": cells.text_cell(r["node"]), "status": cells.text_cell(r["status"]),
          "detail": cells.text_cell(r["detail"])} for r in build["failed"]])
    quarantine_table = table(
        f"{prefix}-quarantine", "Quarantined rows by source, column and reason",
        [column("dataset", "Source"), column("column", "Column"), column("reason", "Reason"),
         column("rows", "Rows", True), column("files", "Files", True)],
        [{"dataset": cells.text_cell(r["dataset"]), "column": cells.text_cell(r["column"]),
          "reason": cells.text_cell(r["reason"]), "rows": cells.count_cell(r["rows"]),
          "files": cells.count_cell(r["files"])} for r in q],
    )
    freshness_table = table(
        f"{prefix}-freshness", "Freshness per source (ingest log)",
        [column("dataset", "Source"), column("files", "Files", True),
         column("rows_loaded", "Rows loaded", True),
         column("rows_quarantined", "Rows quarantined", True),
         column("rows_skipped", "Rows skipped (native exports: hosts, no-shows, previews)", True),
         column("rejected", "Files rejected", True), column("last", "Last load (UTC)"),
         column("newest", "Newest record"), column("age", "Days before the as-of date", True)],
        [{"dataset": cells.text_cell(r["dataset"]), "files": cells.count_cell(r["files"]),
          "rows_loaded": cells.count_cell(r["rows_loaded"]),
          "rows_quarantined": cells.count_cell(r["rows_quarantined"]),
          "rows_skipped": cells.count_cell(r["rows_skipped"]),
          "rejected": cells.count_cell(r["rejected"]),
          "last": cells.text_cell(r["last_loaded_on"]),
          "newest": cells.text_cell(r["newest_event_on"]),
          "age": cells.count_cell(r["days_before_as_of"])} for r in f],
    )
    return {
        "quarantined_rows": sum(r["rows"] for r in q),
        "quarantine": quarantine_table,
        "freshness": freshness_table,
        "gates": {k: v for k, v in g.items() if k != "problems"},
        "gate_problems": _problems_table(prefix, g["problems"], row_details=True),
        "problems": g["problems"],
        "dbt": {k: v for k, v in build.items() if k != "failed"},
        "dbt_failures": dbt_table,
        "prefix": prefix,
        "has_ingest_log": bool(f),
    }


# The event sources a center's report covers, and the key that ties a row to the center.
CENTER_SOURCES = {"attendance": "session_id", "polls": "session_id",
                  "surveys/midpoint": "cohort_id", "surveys/six_month": "cohort_id"}


def _keys(con: duckdb.DuckDBPyConnection, center_id: str | None) -> dict[str, set[str]]:
    """The session ids and cohort ids in the marts: one center's, or every center's (None)."""
    where, params = ("where center_id = ?", [center_id]) if center_id else ("", [])
    sessions = {r[0] for r in con.execute(
        f"select session_id from marts.fct_attendance {where} union "
        f"select session_id from marts.fct_poll_results {where}", params * 2).fetchall()}
    cohorts = {r[0] for r in con.execute(
        f"select cohort_id from marts.dim_cohorts {where}", params).fetchall()}
    return {"session_id": sessions, "cohort_id": cohorts}


def center_rows(data_dir: Path, own: dict[str, set[str]], known: dict[str, set[str]]
                ) -> dict:
    """Per event source: the files holding rows of the center's sessions or cohorts (in the
    raw zone or in quarantine), the center's rows loaded and quarantined (by column and
    reason), and the quarantined rows that name a session or cohort of no center."""
    zone = Zone(Path(data_dir))
    out = {"sources": [], "quarantine": [], "unattributed": 0}
    scratch = duckdb.connect()
    try:
        for key, ids in own.items():
            scratch.execute(f"create table {ident('own_' + key)} as "
                            "select unnest(cast(? as varchar[])) as id", [sorted(ids)])
        for dataset, key in CENTER_SOURCES.items():
            raw = list(zone.raw_files(dataset))
            loaded: dict[str, int] = {}
            if raw:
                try:
                    loaded = dict(scratch.execute(
                        f"select _file, count(*) from read_parquet({parquet_list(raw)}, "
                        f"union_by_name = true) where {ident(key)} in "
                        f"(select id from {ident('own_' + key)}) group by _file").fetchall())
                except duckdb.Error:
                    loaded = {}
            qfiles = [str(p) for p in zone.quarantine_files(dataset)]
            quarantined: list[tuple] = []
            if qfiles:
                try:
                    quarantined = scratch.execute(
                        f"select _file, \"column\", reason, "
                        f"json_extract_string(row_json, {literal('$.' + key)}) as k "
                        f"from read_parquet({parquet_list(qfiles)}, union_by_name = true)"
                    ).fetchall()
                except duckdb.Error:
                    quarantined = []
            own_ids = own[key]
            mine = [q for q in quarantined if q[3] in own_ids]
            out["unattributed"] += sum(1 for q in quarantined if q[3] not in known[key])
            files = set(loaded) | {q[0] for q in mine}
            if files:
                out["sources"].append({"dataset": dataset, "files": len(files),
                                       "rows_loaded": sum(loaded.values()),
                                       "rows_quarantined": len(mine)})
            groups: dict[tuple[str, str], set] = {}
            counts: dict[tuple[str, str], int] = {}
            for file, col, reason, _k in mine:
                g = (col or "", generic_reason(reason))
                groups.setdefault(g, set()).add(file)
                counts[g] = counts.get(g, 0) + 1
            out["quarantine"] += [{"dataset": dataset, "column": c, "reason": r,
                                   "rows": counts[(c, r)], "files": len(groups[(c, r)])}
                                  for (c, r) in sorted(groups)]
    finally:
        scratch.close()
    out["quarantine"].sort(key=lambda r: (-r["rows"], r["dataset"], r["column"]))
    return out


def rejected_files(data_dir: Path, center_id: str) -> tuple[list[dict], int]:
    """Rejected files of the event sources (ingest log): those under a folder named after
    the center (a native export), and how many more name no center."""
    mine, other = [], 0
    zone = Zone(Path(data_dir))
    for dataset in CENTER_SOURCES:
        for r in zone.verdicts(dataset):
            if r.status != "rejected":
                continue
            if center_id in Path(r.file).parts:
                mine.append({"dataset": dataset, "file": Path(r.file).name,
                             "reason": redact(r.message)[:200]})
            else:
                other += 1
    return mine, other


def center_section(data_dir: Path, con: duckdb.DuckDBPyConnection, center_id: str,
                   ctx: dict) -> dict:
    """The data-quality section of one center's report: its sessions' attendance and poll
    files and its cohorts' survey files, their quarantined rows and rejected files; the
    quality gates (which check the whole warehouse) named, not their rows."""
    found = center_rows(data_dir, _keys(con, center_id), _keys(con, None))
    rejected, rejected_other = rejected_files(data_dir, center_id)
    prefix = ctx.get("prefix", "dq")
    sources = table(
        f"{prefix}-center-sources", "This center's input files by source",
        [column("dataset", "Source"),
         column("files", "Files with this center's rows", True),
         column("rows_loaded", "This center's rows loaded", True),
         column("rows_quarantined", "This center's rows quarantined", True)],
        [{"dataset": cells.text_cell(r["dataset"]), "files": cells.count_cell(r["files"]),
          "rows_loaded": cells.count_cell(r["rows_loaded"]),
          "rows_quarantined": cells.count_cell(r["rows_quarantined"])}
         for r in found["sources"]],
        note="Attendance and poll rows of this center's sessions, survey rows of its cohorts.")
    quarantine_table = table(
        f"{prefix}-quarantine", "This center's quarantined rows by source, column and reason",
        [column("dataset", "Source"), column("column", "Column"), column("reason", "Reason"),
         column("rows", "Rows", True), column("files", "Files", True)],
        [{"dataset": cells.text_cell(r["dataset"]), "column": cells.text_cell(r["column"]),
          "reason": cells.text_cell(r["reason"]), "rows": cells.count_cell(r["rows"]),
          "files": cells.count_cell(r["files"])} for r in found["quarantine"]])
    rejected_table = table(
        f"{prefix}-rejected", "This center's rejected files (native exports in its folder)",
        [column("dataset", "Source"), column("file", "File"), column("reason", "Why")],
        [{"dataset": cells.text_cell(r["dataset"]), "file": cells.text_cell(r["file"]),
          "reason": cells.text_cell(r["reason"])} for r in rejected])
    return {
        **ctx,
        "scope": "center",
        "center_id": center_id,
        "quarantined_rows": sum(r["rows_quarantined"] for r in found["sources"]),
        "unattributed_rows": found["unattributed"],
        "rejected_other": rejected_other,
        "sources": sources,
        "quarantine": quarantine_table,
        "rejected": rejected_table,
        "has_rejected": bool(rejected),
    }
