"""Data-quality facts for the reports: quarantined rows by reason, the quality gates' results
(``quality/latest.json``) and freshness per source (the ingest log). Every part is optional:
a missing file gives an empty part and a sentence saying so, never an error."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import duckdb

from plcqi.publish import cells
from plcqi.publish.safety import redact
from plcqi.publish.tables import column, table

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
    root = Path(data_dir) / "quarantine"
    files = sorted(p for p in root.glob("**/*.parquet") if "__empty" not in p.name)
    if not files:
        return []
    con = duckdb.connect()
    try:
        listing = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
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
    files = sorted(p for p in (Path(data_dir) / "raw" / dataset).glob("*.parquet")
                   if "__empty" not in p.name)
    if col is None or not files:
        return None
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        listing = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
        value = con.execute(
            f"select max(cast({col} as date)) from read_parquet({listing}, union_by_name = true)"
            f" where cast({col} as date) <= ?", [as_of]).fetchone()[0]
    except duckdb.Error:
        return None
    finally:
        con.close()
    return value


def freshness(data_dir: Path, as_of: date) -> list[dict]:
    """Per dataset of the ingest log: files, rows, rejected files, last load, and for event
    sources the newest event on or before the as-of date."""
    per: dict[str, dict] = {}
    for p in sorted((Path(data_dir) / "ingest_log").glob("**/*.json")):
        try:
            r = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        d = per.setdefault(r.get("dataset", "?"), {
            "files": 0, "rejected": 0, "rows_loaded": 0, "rows_quarantined": 0, "last": ""})
        d["files"] += 1
        d["rejected"] += r.get("status") == "rejected"
        d["rows_loaded"] += int(r.get("rows_loaded") or 0)
        d["rows_quarantined"] += int(r.get("rows_quarantined") or 0)
        d["last"] = max(d["last"], str(r.get("loaded_at") or ""))
    out = []
    for dataset, d in sorted(per.items()):
        newest = newest_event(data_dir, dataset, as_of)
        out.append({
            "dataset": dataset, **d, "last_loaded_on": d["last"][:10] or None,
            "newest_event_on": newest.isoformat() if newest else None,
            "days_before_as_of": (as_of - newest).days if newest else None,
        })
    return out


def _first(d: dict, *keys, default=None):
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


def gates(data_dir: Path) -> dict:
    """The quality gates' latest results, read tolerantly: overall status, per suite status,
    and the failed or warning expectations."""
    path = Path(data_dir) / "quality" / "latest.json"
    if not path.exists():
        return {"available": False, "status": "none", "success": None, "run_at": "",
                "message": "no quality results yet", "suites": [], "problems": []}
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        return {"available": False, "status": "none", "success": None, "run_at": "",
                "message": f"quality results unreadable: {e}", "suites": [], "problems": []}
    if isinstance(doc, dict) and doc and all(
            isinstance(v, dict) and "findings" in v for v in doc.values()):
        return _stages(doc)
    suites_raw = _first(doc, "suites", "results", "checkpoints", "validations", default=[])
    if isinstance(suites_raw, dict):
        suites_raw = [{"name": k, **v} if isinstance(v, dict) else {"name": k, "success": v}
                      for k, v in suites_raw.items()]
    suites, problems = [], []
    for s in suites_raw if isinstance(suites_raw, list) else []:
        if not isinstance(s, dict):
            continue
        name = str(_first(s, "suite", "suite_name", "name", "expectation_suite_name",
                          default="suite"))
        success = _first(s, "success", "passed", "ok")
        checks = _first(s, "expectations", "results", "checks", default=[])
        failed = 0
        for e in checks if isinstance(checks, list) else []:
            if not isinstance(e, dict):
                continue
            ok = _first(e, "success", "passed", "ok")
            severity = str(_first(e, "severity", "level", default="")).lower()
            if ok is False or severity in ("warning", "warn"):
                failed += ok is False
                cfg = e.get("expectation_config") if isinstance(
                    e.get("expectation_config"), dict) else {}
                kwargs = cfg.get("kwargs") if isinstance(cfg.get("kwargs"), dict) else {}
                problems.append({
                    "suite": name,
                    "expectation": str(_first(e, "expectation", "expectation_type", "type",
                                              "name", default=cfg.get("type", "check"))),
                    "column": str(_first(e, "column", default=kwargs.get("column", "")) or ""),
                    "severity": severity or ("failure" if ok is False else "warning"),
                    "detail": redact(str(_first(e, "message", "detail", "details",
                                                "observed", default="")))[:300],
                })
        suites.append({"name": name, "success": success, "checks": len(checks)
                       if isinstance(checks, list) else None, "failed": failed})
    overall = _first(doc, "success", "passed", "ok")
    if overall is None and suites:
        overall = all(s["success"] is not False for s in suites)
    return {
        "available": True,
        "status": "ok" if overall else "failed",
        "message": "all gates passed" if overall else "a quality gate failed",
        "success": overall,
        "run_at": str(_first(doc, "run_at", "generated_at", "run_time", "created_at",
                             default="")),
        "suites": suites,
        "problems": problems,
    }


def _stages(doc: dict) -> dict:
    """``plcqi.quality``'s latest.json: ``{"raw": ValidationResult, "marts": ...}``."""
    suites, problems, run_at, errors, warnings = [], [], "", 0, 0
    for stage, r in sorted(doc.items()):
        run_at = max(run_at, str(r.get("validated_at") or ""))
        for sm in r.get("suites") or []:
            suites.append({"name": f"{stage}/{sm.get('suite')}", "success": not sm.get("errors"),
                           "checks": sm.get("expectations"), "failed": sm.get("errors", 0)})
        for f in r.get("findings") or []:
            if f.get("success"):
                continue
            severity = str(f.get("severity") or "error")
            errors += severity == "error"
            warnings += severity == "warning"
            problems.append({
                "suite": f"{stage}/{f.get('suite', '')}",
                "expectation": str(f.get("expectation") or ""),
                "column": str(f.get("column") or ""),
                "severity": severity,
                "detail": redact(str(f.get("message") or f.get("observed") or ""))[:300],
            })
    problems.sort(key=lambda p: (p["severity"] != "error", p["suite"]))
    message = (f"{errors} gate error(s): publishing should have stopped" if errors
               else f"all gates passed, {warnings} warning(s)" if warnings
               else "all gates passed")
    return {"available": True, "status": "failed" if errors else "ok", "success": not errors,
            "message": message, "run_at": run_at, "suites": suites, "problems": problems}


def context(data_dir: Path, as_of: date, *, prefix: str) -> dict:
    """The data-quality section: three tables and the gate status, ready for the template."""
    data_dir = Path(data_dir)
    q = quarantine_rows(data_dir)
    f = freshness(data_dir, as_of)
    g = gates(data_dir)
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
         column("rejected", "Files rejected", True), column("last", "Last load (UTC)"),
         column("newest", "Newest record"), column("age", "Days before the as-of date", True)],
        [{"dataset": cells.text_cell(r["dataset"]), "files": cells.count_cell(r["files"]),
          "rows_loaded": cells.count_cell(r["rows_loaded"]),
          "rows_quarantined": cells.count_cell(r["rows_quarantined"]),
          "rejected": cells.count_cell(r["rejected"]),
          "last": cells.text_cell(r["last_loaded_on"]),
          "newest": cells.text_cell(r["newest_event_on"]),
          "age": cells.count_cell(r["days_before_as_of"])} for r in f],
    )
    problems_table = table(
        f"{prefix}-gates", "Failed checks and warnings from the quality gates",
        [column("suite", "Suite"), column("expectation", "Check"), column("column", "Column"),
         column("severity", "Severity"), column("detail", "Detail")],
        [{k: cells.text_cell(p[k]) for k in ("suite", "expectation", "column", "severity",
                                             "detail")} for p in g["problems"]],
    )
    return {
        "quarantined_rows": sum(r["rows"] for r in q),
        "quarantine": quarantine_table,
        "freshness": freshness_table,
        "gates": {k: v for k, v in g.items() if k != "problems"},
        "gate_problems": problems_table,
        "has_ingest_log": bool(f),
    }
