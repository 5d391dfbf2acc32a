"""Every SQL literal goes through one quoting rule (``plcqi.sql``): no SQL text of ``src/`` puts
a value or a path between quotes itself, by an f-string field, ``%``, ``.format`` or a
``+``, nor lets a Jinja expression (dbt's ``env_var``) land between quotes.

The scan reads the source's syntax tree: a string is SQL when its text has the shape of a
statement (``select … from``, ``copy … to``, ``read_parquet(``, ``attach``, ``create table``…),
and a finding is a field that stands inside a pair of quotes of that text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers import REPO

SRC = REPO / "src" / "plcqi"
FIELD = "\x00"  # where a formatted value stands in a string's text
_SQL_SHAPES = [
    re.compile(p, re.IGNORECASE | re.DOTALL)
    for p in (
        r"\bselect\b.*\bfrom\b",
        r"\bread_(?:parquet|csv|csv_auto|json|json_auto|text)\s*\(",
        r"\bcopy\b.*\b(?:to|from)\b",
        r"\battach\b\s",
        r"\binsert\s+into\b",
        r"\bcreate\s+(?:or\s+replace\s+)?(?:temp\s+|temporary\s+)?(?:table|view|schema|macro)\b",
        r"\bupdate\s+\S+\s+set\b",
        r"\bdelete\s+from\b",
        r"\bdescribe\s",
        r"\bpragma\s",
        r"\bset\s+\w+\s*=",
    )
]
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_JINJA = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def _looks_like_sql(text: str) -> bool:
    return any(p.search(text) for p in _SQL_SHAPES)


def _template(node: ast.AST) -> str | None:
    """The text of a string expression with FIELD where a value is put in, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else FIELD for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else FIELD) + (right if right is not None else FIELD)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = _template(node.left)
        if left is not None:
            return re.sub(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrfi]", FIELD, left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        base = _template(node.func.value)
        if base is not None:
            return re.sub(r"\{[^{}]*\}", FIELD, base.replace("{{", "").replace("}}", ""))
    return None


def findings(source: str) -> list[tuple[int, str]]:
    """(line, text) of each SQL string of ``source`` that quotes a value itself.

    >>> findings("q = f\\"select * from read_parquet('{path}')\\"\\n")
    [(1, "select * from read_parquet('\\x00')")]
    >>> findings("q = f'select * from read_parquet({sql.literal(path)})'\\n")
    []
    """
    tree = ast.parse(source)
    found, seen = [], set()
    for node in ast.walk(tree):
        text = _template(node)
        if text is None or not _looks_like_sql(text.replace(FIELD, " x ")):
            continue
        jinja = _JINJA.sub(FIELD, text) if "{{" in text else text
        if any(FIELD in q for q in _QUOTED.findall(jinja)):
            key = (node.lineno, text)
            # an f-string inside a '+' is the same finding: report the outermost only
            if not any(line == node.lineno and text in t for line, t in seen):
                seen.add(key)
                found.append(key)
    return sorted(found)


def scan(root: Path) -> list[str]:
    out = []
    for path in sorted(root.rglob("*.py")):
        for line, text in findings(path.read_text()):
            snippet = " ".join(text.replace(FIELD, "{…}").split())[:90]
            out.append(f"{path.relative_to(REPO).as_posix()}:{line}: {snippet}")
    return out


def test_the_scan_finds_quoted_fields_and_passes_the_quoting_helpers():
    bad = [
        "q = f\"select * from read_parquet('{path}')\"",
        "q = f\"copy (select 1) to '{target}' (format parquet)\"",
        "q = \"attach '%s' as w\" % path",
        "q = \"select * from t where name = '{}'\".format(name)",
        'q = "select * from t where id = \'" + value + "\'"',
        "q = f'select \"{column}\" from t'",
        'q = "select * from read_parquet(\'{{ env_var(\\"DIR\\") }}/x.parquet\')"',
    ]
    for code in bad:
        assert findings(code + "\n"), code
    good = [
        'q = f"select * from read_parquet({sql.literal(path)})"',
        'q = f"select {ident(c)} from {ident(t)} where x = ?"',
        "msg = f\"unknown session_id '{sid}' (not in reference/sessions)\"",
        "q = \"select * from t where status = 'ok'\"",
        'q = f"select * from read_parquet({parquet_list(files)}, union_by_name = true)"',
    ]
    for code in good:
        assert not findings(code + "\n"), code


OWN = ("publish", "quality", "sql.py", "files.py", "privacy.py", "history.py", "pipeline.py")


def test_publish_and_quality_quote_every_literal_through_plcqi_sql():
    found = [f for f in scan(SRC) if f.split("/", 3)[-1].split("/", 1)[0].split(":")[0] in OWN]
    assert found == [], "\n".join(found)


def test_no_sql_of_src_quotes_a_value_itself():
    found = scan(SRC)
    assert found == [], "SQL literals outside plcqi.sql:\n" + "\n".join(found)
