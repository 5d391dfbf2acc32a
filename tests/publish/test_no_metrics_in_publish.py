"""Every figure a report shows is a column of a mart (METRICS.md; issue "one home per fact"):
the Python of ``plcqi.publish`` reads, suppresses and formats, and computes no ratio. Checked
on the source: a division in ``src/plcqi/publish/`` is allowed only as a path join."""

from __future__ import annotations

import ast
import re

from tests.helpers import REPO

PUBLISH = REPO / "src" / "plcqi" / "publish"

# A `/` whose left side is one of these (or a call of a paths helper) joins paths.
_PATHISH = re.compile(r"(^|_)(root|folder|dir|data_dir|templates|logs|runtime|tmp|paths?)$")
_NUMERIC_CALLS = {"mean", "fmean", "median", "stdev", "pstdev", "variance", "harmonic_mean"}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def _is_path_join(node: ast.BinOp) -> bool:
    if isinstance(node.right, ast.Constant | ast.JoinedStr) and not isinstance(
            getattr(node.right, "value", ""), int | float):
        return True
    left = node.left
    while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
        left = left.left  # a / "b" / c: the chain starts with a path
    name = _name(left)
    if isinstance(left, ast.Call) and name in {"Path", "PurePath"}:
        return True
    if isinstance(left, ast.Call) and name is not None and (
            name.endswith("_dir") or name in {"data_dir", "warehouse", "reports_dir"}):
        return True
    return bool(name and _PATHISH.search(name))


def ratios(source: str) -> list[tuple[int, str]]:
    """(line, code) of every division that is not a path join, and every statistics call."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod):
            if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) and \
                    isinstance(node.left.value, str):
                continue  # "%s" % x formatting
            if not _is_path_join(node):
                found.append((node.lineno, ast.get_source_segment(source, node)))
        elif (isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Div | ast.FloorDiv)
              or isinstance(node, ast.Call) and _name(node.func) in _NUMERIC_CALLS):
            found.append((node.lineno, ast.get_source_segment(source, node)))
    return found


def test_the_check_finds_a_ratio_and_passes_a_path():
    assert [code for _, code in ratios("rate = took / n\n")] == ["took / n"]
    assert ratios("x = sum(b) // len(b)\n") and ratios("r /= n\n")
    assert ratios("import statistics\nm = statistics.mean(v)\n")
    assert ratios("p = k % n\n")
    assert not ratios('p = root / center_id / f"{as_of}.html"\n')
    assert not ratios('p = paths.access_dir(d) / "nginx"\nq = Path(t) / name\n')
    assert not ratios('s = "%d%%" % 5\n')


def test_publish_computes_no_ratio():
    files = sorted(PUBLISH.rglob("*.py"))
    assert len(files) > 10
    offending = {p.relative_to(REPO).as_posix(): ratios(p.read_text()) for p in files}
    offending = {k: v for k, v in offending.items() if v}
    assert not offending, (
        "publish/ computes figures; move them into a mart (dbt) and read the column: "
        f"{offending}")


def test_the_marts_checked_on_connect_are_the_marts_the_reports_read():
    from plcqi.publish.warehouse import MARTS

    read = set()
    for p in PUBLISH.rglob("*.py"):
        read |= set(re.findall(r"\bmarts\.([a-z][a-z0-9_]+)", p.read_text()))
    read -= {"x"}  # a doctest's example table
    assert read == set(MARTS)
