"""Rendering: contexts to self-contained HTML pages (written atomically by the callers,
``plcqi.files.write_atomic``).

The jinja2 environment always autoescapes (``autoescape=True``, not ``select_autoescape``,
which leaves files with other extensions unescaped). Chart SVG and the inlined stylesheet are
the only unescaped content: SVG is produced by vl-convert and checked to be inert.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from concurrent.futures import ThreadPoolExecutor
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
