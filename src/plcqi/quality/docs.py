"""Data Docs: one self-contained, offline HTML page of the latest results and their history.

Great Expectations' own Data Docs load Bootstrap, jQuery, Font Awesome and Vega from CDNs and
render through templates that are not autoescaped, so this page is rendered here instead:
jinja2 with autoescape always on, the stylesheet inlined, no script and no network reference.
Written to ``DATA_DIR/reports/data-docs/index.html``, with copies of the results it links in
``data-docs/results/<stage>/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jinja2

from plcqi import paths
from plcqi.files import atomic_path
from plcqi.quality import store
from plcqi.quality.result import ValidationResult
from plcqi.quality.suites import STAGES

_TEMPLATES = Path(__file__).parent / "templates"


def docs_path(data_dir: Path) -> Path:
    return paths.reports_dir(data_dir) / "data-docs" / "index.html"


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,  # always: not select_autoescape, which skips .j2 files
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def context(data_dir: Path) -> dict:
    """The ready-made template context: per stage, the latest result and its history."""
    latest = store.read_latest(data_dir)
    target = docs_path(data_dir).parent
    stages = []
    for stage in STAGES:
        result: ValidationResult | None = latest.get(stage)
        runs = store.history(data_dir, stage)
        for run in runs:
            run["href"] = Path(os.path.relpath(_published(data_dir, run["file"]), target)
                               ).as_posix()
        if result is None:
            stages.append({"stage": stage, "result": None, "history": runs})
            continue
        by_suite: dict[str, list] = {}
        for f in result.findings:
            by_suite.setdefault(f.suite, []).append(f)
        stages.append({
            "stage": stage,
            "result": result,
            "failures": result.errors + result.warnings,
            "suites": [{"summary": s, "findings": by_suite.get(s.suite, [])}
                       for s in result.suites],
            "history": runs,
        })
    return {"stages": stages}


def _published(data_dir: Path, file: str) -> Path:
    """Where the Data Docs link a result file: a copy next to the page, so the reports
    folder can be served (or copied) on its own."""
    return docs_path(data_dir).parent / Path(file).relative_to("quality")


def _copy_history(data_dir: Path) -> None:
    for stage in STAGES:
        for run in store.history(data_dir, stage):
            target = _published(data_dir, run["file"])
            if not target.exists():
                with atomic_path(target) as tmp:
                    shutil.copyfile(Path(data_dir) / run["file"], tmp)


def render(data_dir: Path) -> str:
    return _env().get_template("data_docs.html").render(**context(Path(data_dir)))


def publish(data_dir: Path) -> Path:
    """(Re)write the Data Docs page from the stored results; returns its path."""
    path = docs_path(data_dir)
    _copy_history(Path(data_dir))
    html = render(data_dir)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
