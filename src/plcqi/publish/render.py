"""Rendering: contexts to self-contained HTML pages (written atomically by the callers,
``plcqi.files.write_atomic``).

The jinja2 environment always autoescapes (``autoescape=True``, not ``select_autoescape``,
which leaves files with other extensions unescaped). Chart SVG and the inlined stylesheet are
the only unescaped content: SVG is produced by vl-convert and checked to be inert.
"""

from __future__ import annotations

import copy
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
from markupsafe import Markup

from plcqi import paths
from plcqi.publish import charts, safety
from plcqi.publish.tables import csv_data_uri, to_csv


def environment(templates: Path | None = None) -> jinja2.Environment:
    templates = templates or paths.templates_dir()
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
        return node  # built by plcqi (chart SVG): checked as a whole by check_html
    if isinstance(node, str):
        return safety.EMAIL_RE.sub("[email removed]", node) if "@" in node else node
    if isinstance(node, dict):
        return {k: _without_emails(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_without_emails(v) for v in node]
    if type(node) is tuple:
        return tuple(_without_emails(v) for v in node)
    return copy.deepcopy(node)


def finalize(context: dict) -> dict:
    """A copy of ``context`` ready to print: no e-mail address in its texts, every chart with
    its inline SVG (rendered on a few threads: vl-convert releases the GIL), every table with
    its CSV download."""
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
        svgs = list(pool.map(lambda n: charts.to_svg(n["spec"]), chart_nodes))
    for node, svg in zip(chart_nodes, svgs, strict=True):
        node["svg"] = Markup(svg)
    return out


def csv_file(t: dict) -> str:
    """A table as the text of a CSV file written next to a page: the figures of the page's
    own downloads (e-mail addresses removed, spreadsheet-safe)."""
    return to_csv(_without_emails(t))


def render_page(template: str, context: dict, env: jinja2.Environment | None = None) -> str:
    """HTML of a page, checked to show no email address and load nothing from outside."""
    env = env or environment()
    html = env.get_template(template).render(**finalize(context))
    safety.check_html(html)
    return html
