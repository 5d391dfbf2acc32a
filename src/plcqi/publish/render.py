"""Rendering: contexts to self-contained HTML pages (written atomically by the callers,
``plcqi.files.write_atomic``).

The jinja2 environment always autoescapes (``autoescape=True``, not ``select_autoescape``,
which leaves files with other extensions unescaped). Chart SVG and the inlined stylesheet are
the only unescaped content: SVG is produced by vl-convert and checked to be inert.
"""

from __future__ import annotations

import copy
import functools
import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import jinja2
from markupsafe import Markup

from plcqi import paths
from plcqi.publish import charts, safety
from plcqi.publish.tables import csv_data_uri, to_csv


def environment(templates: Path | None = None) -> jinja2.Environment:
    """The report templates' environment: one per folder, so each template is compiled once
    per process (jinja2 caches compiled templates in their environment)."""
    return _environment(templates or paths.templates_dir())


@functools.lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    if not (templates / "base.html").exists():
        raise FileNotFoundError(f"report templates not found in {templates}")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _without_emails(node):
    """A copy of a context with every e-mail address in its texts replaced: a label that
    holds one (a poll question, a name) is shown without it, and the page is still
    published (``safety.check_html`` refuses a page that shows one)."""
    if isinstance(node, Markup):
        return node  # built by plcqi (chart SVG, the stylesheet): checked by render_page
    if isinstance(node, str):
        return safety.EMAIL_RE.sub("[email removed]", node) if "@" in node else node
    if isinstance(node, dict):
        return {k: _without_emails(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_emails(v) for v in node]
    if type(node) is tuple:
        return tuple(_without_emails(v) for v in node)
    return copy.deepcopy(node)


def finalize(context: dict, svgs: dict[str, str] | None = None) -> dict:
    """A copy of ``context`` ready to print: no e-mail address in its texts, every chart with
    its inline SVG (rendered on a few threads: vl-convert releases the GIL), every table with
    its CSV download.

    Given ``svgs``, a chart's ``svg`` is a placeholder (``_CHART``) and ``svgs`` maps it to
    the SVG, for ``render_page`` to check the page around the charts, then put them in."""
    out = _without_emails(context)
    chart_nodes: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if "spec" in node and "table" in node:
                chart_nodes.append(node)
            if "csv_name" in node and "rows" in node:
                node["csv_href"] = csv_data_uri(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list | tuple):
            for v in node:
                walk(v)

    walk(out)
    workers = max(1, min(8, os.cpu_count() or 1, len(chart_nodes)))
    with ThreadPoolExecutor(workers) as pool:
        rendered = list(pool.map(lambda n: charts.to_svg(n["spec"]), chart_nodes))
    for i, (node, svg) in enumerate(zip(chart_nodes, rendered, strict=True)):
        if svgs is None:
            node["svg"] = Markup(svg)
        else:
            svgs[_CHART.format(i)] = svg
            node["svg"] = Markup(_CHART.format(i))
    return out


# Where a chart's SVG goes in a page while the page around it is checked: a tag no escaped
# text can hold ("<" of a text is printed "&lt;").
_CHART = "<plcqi-chart-{}/>"
_CHART_RE = re.compile(r"<plcqi-chart-\d+/>")


def csv_file(t: dict) -> str:
    """A table as the text of a CSV file written next to a page: the figures of the page's
    own downloads (e-mail addresses removed, spreadsheet-safe)."""
    return to_csv(_without_emails(t))


def render_page(template: str, context: dict, env: jinja2.Environment | None = None) -> str:
    """HTML of a page, checked to show no email address and load nothing from outside."""
    env = env or environment()
    svgs: dict[str, str] = {}
    html = env.get_template(template).render(**finalize(context, svgs))
    # The page around its charts is parsed; each chart's SVG was checked as XML when it was
    # rendered (``safety.check_svg``), and is looked through for an e-mail address here.
    safety.check_html(html)
    if any(safety.has_email(svg) for svg in svgs.values()):
        raise safety.UnsafeReport("a chart on the page contains an email address")
    return _CHART_RE.sub(lambda m: svgs[m.group(0)], html)


def write_page(path: Path, template: str, context: dict) -> Path:
    """Render a page and write it atomically (``plcqi.files.write_atomic``)."""
    from plcqi.files import write_atomic

    write_atomic(path, render_page(template, context))
    return path


class Pages:
    """Pages rendered and written by a few worker processes while the caller reads the next
    contexts from the warehouse (rendering is pure Python: a thread pool would not help).

    ``submit`` queues a page; leaving the ``with`` block waits for every page and raises the
    first error (an unsafe page is not written, as with ``write_page``). With one worker,
    pages are written at once, in this process.
    """

    def __init__(self, workers: int | None = None):
        if workers is None:
            # a daemonic process (a pool's worker, e.g. Celery's) may not start processes
            daemon = multiprocessing.current_process().daemon
            workers = 1 if daemon else min(4, os.cpu_count() or 1)
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[Future] = []

    def __enter__(self) -> Pages:
        if self.workers > 1:
            # forkserver: a worker never inherits the caller's threads (vl-convert's) or its
            # DuckDB connection
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("forkserver"))
        return self

    def submit(self, path: Path, template: str, context: dict) -> None:
        if self._pool is None:
            write_page(path, template, context)
        else:
            self._pending.append(self._pool.submit(write_page, path, template, context))

    def wait(self) -> None:
        pending, self._pending = self._pending, []
        errors = [e for e in (f.exception() for f in pending) if e is not None]
        if errors:
            raise errors[0]

    def __exit__(self, kind, error, tb) -> None:
        try:
            if error is None:
                self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=error is not None)
                self._pool = None
