"""The publish step's entry points: render the reports of one as-of date into
``DATA_DIR/reports/`` and rebuild the index.

Layout::

    reports/index.html                      every report, by center and period, and Data Docs
    reports/<center_id>/<as_of>.html        a center's CQI report
    reports/leadership/<as_of>.html         the cross-center report
    reports/data-quality/<as_of>.html       quarantine, quality gates, freshness
    reports/data-docs/index.html            Great Expectations Data Docs (written elsewhere)
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from plcqi import history, paths, settings
from plcqi.files import write_atomic
from plcqi.publish import center, leadership, pdf, quality, render
from plcqi.publish.warehouse import PublishError, check_as_of, connect, rows

RESERVED = {"leadership", "data-quality", "data-docs"}
_REPORT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.html$")


@dataclass
class PublishResult:
    as_of: date
    paths: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    history: Path | None = None
    seconds: float = 0.0

    @property
    def index(self) -> Path | None:
        return next((p for p in self.paths if p.name == "index.html"), None)


class GateFailed(PublishError):
    """A quality gate failed for the as-of date being published; ``data_quality_page`` is
    the page that says why, when it was written."""

    data_quality_page: Path | None = None


def check_gate(data_dir: Path, as_of: date) -> None:
    """Refuse to publish when the latest raw or marts quality gate for ``as_of`` failed.

    Data not validated for that date is published; the data-quality section says so.
    """
    from plcqi.quality.store import read_latest

    failed = [r for r in read_latest(data_dir).values()
              if r.as_of == as_of.isoformat() and not r.ok]
    if not failed:
        return
    details = "\n".join(f"- {f.message}" for r in failed for f in r.errors)
    stages = " and ".join(f"{r.stage} gate of {r.validated_at[:19]}" for r in failed)
    raise GateFailed(
        f"not publishing the reports as of {as_of}: the {stages} failed with "
        f"{sum(len(r.errors) for r in failed)} error(s):\n{details}\n"
        "Fix the data, then run the pipeline again (`plcqi run`, or `plcqi validate` "
        "for the failed stage before `plcqi report`)."
    )


def reports_dir(data_dir: Path | str | None) -> Path:
    return paths.reports_dir(data_dir)


def _min_cell_size(value: int | None) -> int:
    return int(value if value is not None else settings.get("min_cell_size"))


def _links(root: Path, as_of: date, *, data_quality: bool) -> dict:
    """Links from a page one folder below reports/ to the data-quality page and Data Docs."""
    dq = root / "data-quality" / f"{as_of}.html"
    docs = root / "data-docs" / "index.html"
    return {"data_quality": f"../data-quality/{as_of}.html" if data_quality or dq.exists()
            else None,
            "data_docs": "../data-docs/index.html" if docs.exists() else None}


def _write(path: Path, template: str, ctx: dict, want_pdf: bool, result: PublishResult):
    write_atomic(path, render.render_page(template, ctx))
    result.paths.append(path)
    if want_pdf:
        result.pdfs.append(pdf.print_pdf(path, path.with_suffix(".pdf")))


def _center(con: duckdb.DuckDBPyConnection, data_dir: Path, center_id: str, as_of: date,
            min_cell_size: int, include_comments: bool, want_pdf: bool, dq_written: bool,
            result: PublishResult, quality_context: dict | None = None) -> Path:
    if "/" in center_id or center_id in RESERVED or center_id.startswith("."):
        raise PublishError(f"{center_id!r} cannot name a report folder")
    root = reports_dir(data_dir)
    if quality_context is None:
        quality_context = quality.context(data_dir, as_of, prefix="dq")
    ctx = center.build(con, data_dir, center_id, as_of, min_cell_size=min_cell_size,
                       include_comments=include_comments,
                       quality_context=quality.for_center(quality_context))
    ctx["crumbs"] = [{"label": "Reports", "href": "../index.html"},
                     {"label": ctx["center"]["name"], "href": None}]
    ctx["links"] = _links(root, as_of, data_quality=dq_written)
    path = root / center_id / f"{as_of}.html"
    _write(path, "center.html", ctx, want_pdf, result)
    return path


def render_center(data_dir: Path | str | None, center_id: str, as_of: date | None = None, *,
                  min_cell_size: int | None = None, include_comments: bool = False,
                  pdf: bool = False) -> Path:
    """Render one center's CQI report; returns its path."""
    data_dir = paths.data_dir(data_dir)
    result = PublishResult(as_of=as_of or date.min)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        check_gate(data_dir, as_of)
        return _center(con, data_dir, center_id, as_of, _min_cell_size(min_cell_size),
                       include_comments, pdf, False, result)


def render_leadership(data_dir: Path | str | None, as_of: date | None = None, *,
                      min_cell_size: int | None = None, pdf: bool = False) -> Path:
    """Render the cross-center leadership report; returns its path."""
    data_dir = paths.data_dir(data_dir)
    result = PublishResult(as_of=as_of or date.min)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        check_gate(data_dir, as_of)
        return _leadership(con, data_dir, as_of, _min_cell_size(min_cell_size), pdf, result)


def _leadership(con, data_dir: Path, as_of: date, min_cell_size: int, want_pdf: bool,
                result: PublishResult) -> Path:
    ctx = leadership.build(con, as_of, min_cell_size=min_cell_size)
    ctx["crumbs"] = [{"label": "Reports", "href": "../index.html"},
                     {"label": "Leadership", "href": None}]
    path = reports_dir(data_dir) / "leadership" / f"{as_of}.html"
    _write(path, "leadership.html", ctx, want_pdf, result)
    return path


def keep_history(data_dir: Path | str | None, as_of: date | None = None) -> Path:
    """Keep what the reports of ``as_of`` read, as published (:mod:`plcqi.history`): run once
    its reports are written (``render_all`` does; the Airflow report DAG has a task)."""
    data_dir = paths.data_dir(data_dir)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        return history.write(con, data_dir, as_of)


def render_data_quality(data_dir: Path | str | None, as_of: date, *,
                        min_cell_size: int | None = None,
                        quality_context: dict | None = None) -> Path:
    """Render the data-quality page (works without a warehouse)."""
    data_dir = paths.data_dir(data_dir)
    root = reports_dir(data_dir)
    ctx = {
        "title": "Data quality", "as_of": as_of.isoformat(),
        "min_cell_size": _min_cell_size(min_cell_size),
        "quality": quality_context or quality.context(data_dir, as_of, prefix="dq"),
        "crumbs": [{"label": "Reports", "href": "../index.html"},
                   {"label": "Data quality", "href": None}],
        "links": {"data_quality": None,
                  "data_docs": "../data-docs/index.html"
                  if (root / "data-docs" / "index.html").exists() else None},
    }
    path = root / "data-quality" / f"{as_of}.html"
    write_atomic(path, render.render_page("data_quality.html", ctx))
    return path


def _listing(folder: Path, prefix: str) -> list[dict]:
    found = sorted((p for p in folder.glob("*.html") if _REPORT_RE.match(p.name)),
                   reverse=True)
    return [{"as_of": p.stem, "href": f"{prefix}/{p.name}",
             "pdf": f"{prefix}/{p.stem}.pdf" if p.with_suffix(".pdf").exists() else None}
            for p in found]


def index_context(data_dir: Path | str | None) -> dict:
    """Every report on disk, newest first, with center names from the marts when there."""
    data_dir = paths.data_dir(data_dir)
    root = reports_dir(data_dir)
    names: dict[str, str] = {}
    try:
        with connect(data_dir) as con:
            names = {r["center_id"]: r["center_name"]
                     for r in rows(con, "select center_id, center_name from marts.dim_centers")}
    except (PublishError, duckdb.Error):
        pass  # an index of what is on disk still works without the warehouse
    centers = []
    if root.exists():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if folder.name in RESERVED or folder.name.startswith("."):
                continue
            reports = _listing(folder, folder.name)
            if reports:
                centers.append({"id": folder.name, "name": names.get(folder.name, folder.name),
                                "reports": reports})
    centers.sort(key=lambda c: c["name"])
    return {
        "title": "plcqi reports", "as_of": None, "min_cell_size": _min_cell_size(None),
        "crumbs": [{"label": "Reports", "href": None}],
        "centers": centers,
        "leadership": _listing(root / "leadership", "leadership"),
        "data_quality": _listing(root / "data-quality", "data-quality"),
        "data_docs": "data-docs/index.html" if (root / "data-docs" / "index.html").exists()
        else None,
    }


def render_index(data_dir: Path | str | None) -> Path:
    """Rebuild ``reports/index.html`` from the reports on disk, and each audience's index
    (``plcqi.publish.access.indexes``)."""
    from plcqi.publish.access import indexes

    path = reports_dir(data_dir) / "index.html"
    ctx = index_context(data_dir)
    write_atomic(path, render.render_page("index.html", ctx))
    indexes.render(data_dir, index=ctx)
    return path


def render_all(data_dir: Path | str | None, as_of: date | None = None,
               centers: list[str] | None = None, *, min_cell_size: int | None = None,
               include_comments: bool = False, pdf: bool = False) -> PublishResult:
    """Every report of the warehouse's as-of date (or of ``centers`` only), then the index."""
    started = time.perf_counter()
    data_dir = paths.data_dir(data_dir)
    n = _min_cell_size(min_cell_size)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        result = PublishResult(as_of=as_of)
        known = [r["center_id"] for r in rows(
            con, "select center_id from marts.dim_centers order by center_id")]
        unknown = sorted(set(centers or []) - set(known))
        if unknown:
            raise PublishError(f"no center {', '.join(unknown)} in the marts")
        dq = quality.context(data_dir, as_of, prefix="dq")
        dq_page = render_data_quality(data_dir, as_of, min_cell_size=n, quality_context=dq)
        result.paths.append(dq_page)
        try:
            check_gate(data_dir, as_of)
        except GateFailed as e:
            # The operator's page that explains the failure is still published.
            render_index(data_dir)
            failed = GateFailed(f"{e}\nData-quality page: {dq_page}")
            failed.data_quality_page = dq_page
            raise failed from None
        for center_id in centers or known:
            _center(con, data_dir, center_id, as_of, n, include_comments, pdf, True, result,
                    quality_context=dq)
        if not centers:
            _leadership(con, data_dir, as_of, n, pdf, result)
        # What these reports read, kept as published: the next period compares with it.
        result.history = history.write(con, data_dir, as_of)
    result.paths.append(render_index(data_dir))
    result.seconds = time.perf_counter() - started
    return result
