"""Rendering: contexts to self-contained HTML files, written atomically.

The jinja2 environment always autoescapes (``autoescape=True``, not ``select_autoescape``,
which leaves files with other extensions unescaped). Chart SVG and the inlined stylesheet are
the only unescaped content: SVG is produced by vl-convert and checked to be inert.
"""

from __future__ import annotations

import copy
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
from markupsafe import Markup

from plcqi.publish import charts, safety
from plcqi.publish.tables import csv_data_uri

TEMPLATES = Path(__file__).resolve().parents[3] / "reports"


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
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


def finalize(context: dict) -> dict:
    """A copy of ``context`` ready to print: every chart gets its inline SVG (rendered on a few
    threads: vl-convert releases the GIL), every table its CSV download."""
    out = copy.deepcopy(context)
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


def render_page(template: str, context: dict, env: jinja2.Environment | None = None) -> str:
    """HTML of a page, checked to show no email address and load nothing from outside."""
    env = env or environment()
    html = env.get_template(template).render(**finalize(context))
    safety.check_html(html)
    return html


def write_atomic(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
