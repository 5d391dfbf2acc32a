"""The publish step's entry points: render the reports of one as-of date into
``DATA_DIR/reports/`` and rebuild the index.

The layout of ``reports/`` is :mod:`plcqi.publish.layout`'s: center reports under
``reports/centers/<center_id>/``, so that no center id names one of the site's own files.

A run that stops (a failed quality gate, a failed dbt build, a warehouse that cannot be
read) still writes the data-quality page that says why (``render_quality_page``).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from plcqi import history, paths, settings
from plcqi.files import write_atomic
from plcqi.publish import center, layout, leadership, pdf, planning, quality, render, safety
from plcqi.publish.warehouse import PublishError, check_as_of, connect, rows

log = logging.getLogger("plcqi.publish")


@dataclass
class PublishResult:
    as_of: date
    paths: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    history: Path | None = None
    seconds: float = 0.0
    # what could not be published (a center id that cannot name a folder); the rest was
    problems: list[str] = field(default_factory=list)
    # the workers writing the pages while the next contexts are read (render_all)
    pages: render.Pages | None = field(default=None, repr=False, compare=False)

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


def _links(root: Path, page: str, as_of: date, *, data_quality: bool) -> dict:
    """Links from ``page`` to the data-quality page and Data Docs, when they are there."""
    dq = layout.data_quality_page(as_of)
    return {"data_quality": layout.link(page, dq)
            if data_quality or (root / dq).exists() else None,
            "data_docs": layout.link(page, layout.DATA_DOCS_PAGE)
            if (root / layout.DATA_DOCS_PAGE).exists() else None}


def _crumbs(page: str, label: str) -> list[dict]:
    return [{"label": "Reports", "href": layout.link(page, layout.INDEX)},
            {"label": label, "href": None}]


def _write(path: Path, template: str, ctx: dict, want_pdf: bool, result: PublishResult):
    if result.pages is not None and not want_pdf:
        result.pages.submit(path, template, ctx)  # written by render_all's workers
    else:
        render.write_page(path, template, ctx)
    result.paths.append(path)
    if want_pdf:
        result.pdfs.append(pdf.print_pdf(path, path.with_suffix(".pdf")))


def center_page(center_id: str, as_of: date) -> str:
    """A center's report, relative to ``reports/`` (PublishError for an id that cannot name
    a folder)."""
    try:
        return layout.center_page(center_id, as_of)
    except layout.UnsafeId as e:
        raise PublishError(str(e)) from None


def _center(con: duckdb.DuckDBPyConnection, data_dir: Path, center_id: str, as_of: date,
            min_cell_size: int, include_comments: bool, want_pdf: bool, dq_written: bool,
            result: PublishResult, quality_context: dict | None = None) -> Path:
    page = center_page(center_id, as_of)
    root = reports_dir(data_dir)
    if quality_context is None:
        quality_context = quality.context(data_dir, as_of, prefix="dq")
    ctx = center.build(con, data_dir, center_id, as_of, min_cell_size=min_cell_size,
                       include_comments=include_comments,
                       quality_context=quality.for_center(quality_context))
    ctx["crumbs"] = _crumbs(page, ctx["center"]["name"])
    ctx["links"] = _links(root, page, as_of, data_quality=dq_written)
    # The grantee x session attendance is a file of the center's folder (its readers only),
    # written before the page that links it.
    write_atomic(root / layout.center_attendance_csv(center_id, as_of),
                 render.csv_file(ctx.pop("attendance_grid")))
    path = root / page
    _write(path, "center.html", ctx, want_pdf, result)
    return path


def render_center(data_dir: Path | str | None, center_id: str, as_of: date | None = None, *,
                  min_cell_size: int | None = None, include_comments: bool = False,
                  pdf: bool = False) -> Path:
    """Render one center's CQI report; returns its path."""
    data_dir = paths.data_dir(data_dir)
    result = PublishResult(as_of=as_of or date.min)
    center_page(center_id, as_of or date.min)  # an id that cannot name a folder: say so first
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
    page = layout.leadership_page(as_of)
    ctx["crumbs"] = _crumbs(page, "Leadership")
    path = reports_dir(data_dir) / page
    _write(path, "leadership.html", ctx, want_pdf, result)
    return path


def _grantee(con, data_dir: Path, grantee: dict, as_of: date, want_pdf: bool,
             result: PublishResult, found: planning.ProfileRows | None = None) -> Path:
    page = planning.profile_page(grantee, as_of)
    region = grantee["acf_region"]
    ctx = planning.grantee_context(con, grantee["grantee_id"], as_of, found)
    crumbs = [{"label": "Reports", "href": layout.link(page, layout.INDEX)}]
    if region is not None:
        crumbs.append({"label": planning.region_name(region),
                       "href": layout.link(page, layout.region_page(region, as_of))})
    ctx["crumbs"] = [*crumbs, {"label": ctx["grantee"]["name"], "href": None}]
    path = reports_dir(data_dir) / page
    _write(path, "grantee.html", ctx, want_pdf, result)
    return path


def _region(con, data_dir: Path, region: int, as_of: date, want_pdf: bool,
            result: PublishResult, found: planning.ProfileRows | None = None) -> Path:
    """A region's report, then its grantees' profiles (which it links; ``found``: their
    rows, read once for every region of a run)."""
    page = layout.region_page(region, as_of)
    members = planning.grantees(con, region)
    by_id = {g["grantee_id"]: g for g in members}

    def href(grantee_id: str) -> str | None:
        g = by_id.get(grantee_id)
        return layout.link(page, planning.profile_page(g, as_of)) if g else None

    found = found or planning.profile_rows(con)
    ctx = planning.region_context(con, region, as_of, href)
    ctx["crumbs"] = _crumbs(page, planning.region_name(region))
    path = reports_dir(data_dir) / page
    _write(path, "region.html", ctx, want_pdf, result)
    for g in members:
        if not layout.is_center_id(g["grantee_id"]):
            result.problems.append(f"no profile for grantee {g['grantee_id']!r}: it cannot "
                                   "name a folder (see the input contract's id rule)")
            continue
        _grantee(con, data_dir, g, as_of, want_pdf, result, found)
    return path


def render_region(data_dir: Path | str | None, region: int, as_of: date | None = None, *,
                  pdf: bool = False) -> Path:
    """Render one ACF region's TA planning report and its grantees' profiles; returns the
    report's path."""
    data_dir = paths.data_dir(data_dir)
    result = PublishResult(as_of=as_of or date.min)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        check_gate(data_dir, as_of)
        return _region(con, data_dir, region, as_of, pdf, result)


def render_unassigned_grantees(data_dir: Path | str | None, as_of: date | None = None, *,
                               pdf: bool = False) -> list[Path]:
    """The profiles of the grantees with no ACF region (no region report lists them)."""
    data_dir = paths.data_dir(data_dir)
    result = PublishResult(as_of=as_of or date.min)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        check_gate(data_dir, as_of)
        _unassigned(con, data_dir, as_of, pdf, result)
    return result.paths


def _unassigned(con, data_dir: Path, as_of: date, want_pdf: bool, result: PublishResult,
                found: planning.ProfileRows | None = None):
    found = found or planning.profile_rows(con)
    for g in planning.grantees(con, every=True):
        if g["acf_region"] is None and layout.is_center_id(g["grantee_id"]):
            _grantee(con, data_dir, g, as_of, want_pdf, result, found)


def keep_history(data_dir: Path | str | None, as_of: date | None = None) -> Path:
    """Keep what the reports of ``as_of`` read, as published (:mod:`plcqi.history`): run once
    its reports are written (``render_all`` does; the Airflow report DAG has a task)."""
    data_dir = paths.data_dir(data_dir)
    with connect(data_dir) as con:
        as_of = check_as_of(con, as_of)
        return history.write(con, data_dir, as_of)


def render_data_quality(data_dir: Path | str | None, as_of: date, *,
                        min_cell_size: int | None = None,
                        quality_context: dict | None = None,
                        stopped: list[str] | None = None) -> Path:
    """Render the data-quality page (works without a warehouse); ``stopped``: what stopped
    the run (the failed step or Airflow task, its error), said first."""
    data_dir = paths.data_dir(data_dir)
    root = reports_dir(data_dir)
    page = layout.data_quality_page(as_of)
    ctx = {
        "title": "Data quality", "as_of": as_of.isoformat(),
        "min_cell_size": _min_cell_size(min_cell_size),
        "quality": quality_context or quality.context(data_dir, as_of, prefix="dq"),
        "crumbs": _crumbs(page, "Data quality"),
        "links": {**_links(root, page, as_of, data_quality=False), "data_quality": None},
        "stopped": [safety.redact(s)[:500] for s in stopped or []],
    }
    path = root / page
    write_atomic(path, render.render_page("data_quality.html", ctx))
    return path


def render_quality_page(data_dir: Path | str | None, as_of: date | None,
                        stopped: list[str] | None = None) -> Path | None:
    """The data-quality page of ``as_of`` and the index, written when a run stops (a failed
    gate or dbt build, a warehouse that cannot be read) so that the page explaining why is
    there; ``stopped`` says what stopped it (e.g. the failed Airflow tasks). Returns the
    page, or None when it could not be written (logged: the failure being raised is what
    matters then)."""
    data_dir = paths.data_dir(data_dir)
    as_of = as_of or quality.last_as_of(data_dir)
    if as_of is None:
        return None
    try:
        page = render_data_quality(data_dir, as_of, stopped=stopped)
        render_index(data_dir)
    except Exception as e:  # noqa: BLE001 - never hide the failure that brought us here
        log.warning("plcqi: the data-quality page as of %s could not be written: %s", as_of, e)
        return None
    return page


def _listing(root: Path, folder: str) -> list[dict]:
    """The reports of a folder of ``reports/``, newest first, as the index links them."""
    found = sorted((p for p in (root / folder).glob("*.html")
                    if layout.REPORT_FILE_RE.match(p.name)), reverse=True)
    return [{"as_of": p.stem, "href": f"{folder}/{p.name}",
             "pdf": f"{folder}/{p.stem}.pdf" if p.with_suffix(".pdf").exists() else None}
            for p in found]


def adopt_old_layout(data_dir: Path | str | None) -> list[str]:
    """Move the center reports of the old layout (``reports/<center_id>/<as_of>.html``, in
    which an id such as ``index.html`` took the place of a site file) into
    ``reports/centers/<center_id>/``; returns the ids moved. Only a folder that holds
    nothing but dated reports is moved."""
    root = reports_dir(data_dir)
    moved: list[str] = []
    if not root.is_dir():
        return moved
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        if (folder.name in layout.SITE and folder.name != layout.INDEX) \
                or not layout.is_center_id(folder.name):
            continue
        files = list(folder.iterdir())
        if not all(f.is_file() and layout.REPORT_FILE_RE.match(f.name) for f in files):
            continue
        target_dir = root / layout.center_folder(folder.name)
        target_dir.mkdir(parents=True, exist_ok=True)
        for f in files:
            if not (target_dir / f.name).exists():
                f.replace(target_dir / f.name)
        shutil.rmtree(folder)
        moved.append(folder.name)
    return moved


def _region_listing(root: Path, grantee_names: dict[str, str]) -> list[dict]:
    """Each region folder of ``reports/regions/``: its reports, newest first, and its
    grantees' profiles (the newest of each, the others from that date's region report)."""
    out = []
    for region in [*layout.ACF_REGIONS, None]:
        folder = layout.region_folder(region)
        reports = _listing(root, folder) if region is not None else []
        profiles = []
        base = root / folder / layout.GRANTEES
        if base.is_dir():
            for g in sorted(p for p in base.iterdir() if p.is_dir()):
                if not layout.is_center_id(g.name):
                    continue
                found = _listing(root, f"{folder}/{layout.GRANTEES}/{g.name}")
                if found:
                    profiles.append({"id": g.name, "name": grantee_names.get(g.name, g.name),
                                     "latest": found[0]})
        if reports or profiles:
            profiles.sort(key=lambda p: p["name"])
            out.append({"id": region, "name": planning.region_name(region),
                        "reports": reports, "grantees": profiles})
    return out


def index_context(data_dir: Path | str | None) -> dict:
    """Every report on disk, newest first, with center names from the marts when there."""
    data_dir = paths.data_dir(data_dir)
    root = reports_dir(data_dir)
    names: dict[str, str] = {}
    grantee_names: dict[str, str] = {}
    try:
        with connect(data_dir) as con:
            names = {r["center_id"]: r["center_name"]
                     for r in rows(con, "select center_id, center_name from marts.dim_centers")}
            grantee_names = {r["grantee_id"]: r["grantee_name"] for r in rows(
                con, "select grantee_id, grantee_name from marts.dim_grantees")}
    except (PublishError, duckdb.Error):
        pass  # an index of what is on disk still works without the warehouse
    centers = []
    base = root / layout.CENTERS
    if base.is_dir():
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            if not layout.is_center_id(folder.name):
                continue
            reports = _listing(root, layout.center_folder(folder.name))
            if reports:
                centers.append({"id": folder.name, "name": names.get(folder.name, folder.name),
                                "reports": reports})
    centers.sort(key=lambda c: c["name"])
    return {
        "regions": _region_listing(root, grantee_names),
        "title": "plcqi reports", "as_of": None, "min_cell_size": _min_cell_size(None),
        "crumbs": [{"label": "Reports", "href": None}],
        "centers": centers,
        "leadership": _listing(root, layout.LEADERSHIP),
        "data_quality": _listing(root, layout.DATA_QUALITY),
        "data_docs": layout.DATA_DOCS_PAGE if (root / layout.DATA_DOCS_PAGE).exists()
        else None,
    }


def render_index(data_dir: Path | str | None) -> Path:
    """Rebuild ``reports/index.html`` from the reports on disk, and each audience's index
    (``plcqi.publish.access.indexes``). Reports of the old layout are moved first."""
    from plcqi.publish.access import indexes

    adopt_old_layout(data_dir)
    path = reports_dir(data_dir) / layout.INDEX
    ctx = index_context(data_dir)
    write_atomic(path, render.render_page("index.html", ctx))
    indexes.render(data_dir, index=ctx)
    return path


def render_all(data_dir: Path | str | None, as_of: date | None = None,
               centers: list[str] | None = None, *, regions: list[int] | None = None,
               min_cell_size: int | None = None, include_comments: bool = False,
               pdf: bool = False) -> PublishResult:
    """Every report of the warehouse's as-of date (or of ``centers`` and ``regions`` only:
    a region's report with its grantees' profiles), then the index.

    The data-quality page is written first, and also when the warehouse cannot be read or a
    gate failed: the error raised then names it."""
    started = time.perf_counter()
    data_dir = paths.data_dir(data_dir)
    n = _min_cell_size(min_cell_size)
    try:
        with connect(data_dir) as con:
            as_of = check_as_of(con, as_of)
            known = [r["center_id"] for r in rows(
                con, "select center_id from marts.dim_centers order by center_id")]
            known_regions = planning.regions(con)
    except PublishError as e:
        page = render_quality_page(data_dir, as_of, stopped=[f"the reports: {e}"])
        if page is None:
            raise
        raise PublishError(f"{e}\nData-quality page: {page}") from None
    result = PublishResult(as_of=as_of)
    unknown = sorted(set(centers or []) - set(known))
    if unknown:
        raise PublishError(f"no center {', '.join(unknown)} in the marts")
    missing = sorted(set(regions or []) - set(known_regions))
    if missing:
        raise PublishError(f"no grantee of ACF region {', '.join(map(str, missing))} in the "
                           "marts (regions with grantees: "
                           f"{', '.join(map(str, known_regions)) or 'none'})")
    everything = not centers and not regions
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
    with connect(data_dir) as con, render.Pages() as pages:
        result.pages = pages
        for center_id in (known if everything else centers or []):
            if not layout.is_center_id(center_id):
                # ingestion quarantines such an id: the other centers are still published
                result.problems.append(f"no report for center {center_id!r}: it cannot name "
                                       "a report folder (see the input contract's id rule)")
                continue
            _center(con, data_dir, center_id, as_of, n, include_comments, pdf, True, result,
                    quality_context=dq)
        if everything:
            _leadership(con, data_dir, as_of, n, pdf, result)
        profiles = planning.profile_rows(con)  # every grantee's, in three queries
        for region in (known_regions if everything else regions or []):
            _region(con, data_dir, region, as_of, pdf, result, profiles)
        if everything:
            _unassigned(con, data_dir, as_of, pdf, result, profiles)
        pages.wait()  # every page is written before its history is kept
        # What these reports read, kept as published: the next period compares with it.
        result.history = history.write(con, data_dir, as_of)
    result.pages = None
    result.paths.append(render_index(data_dir))
    result.seconds = time.perf_counter() - started
    return result
