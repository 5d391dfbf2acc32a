"""Reports never crash on data: whatever text the marts hold (control characters, words that
look like markup or formulas, an e-mail address) and whatever a center is called, every
report is written, its charts render, its CSV downloads are safe to open in a spreadsheet
and no page takes the place of another."""

from __future__ import annotations

import base64
import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from plcqi.publish import charts, layout, render_center, render_index, safety
from plcqi.publish.access.roles import parse_role
from plcqi.publish.tables import column, spreadsheet_safe, table, to_csv
from plcqi.sql import ident
from tests.fixtures import warehouse as fixtures

AS_OF = fixtures.AS_OF


def replace_text(data_dir: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in every text column of every mart; returns the cells
    changed (the fixture names a grantee or a question in several marts)."""
    con = duckdb.connect(str(data_dir / "warehouse" / "plcqi.duckdb"))
    changed = 0
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type = 'VARCHAR'"
        ).fetchall()
        for t, c in columns:
            n = con.execute(
                f"select count(*) from marts.{ident(t)} where contains({ident(c)}, ?)", [old]
            ).fetchone()[0]
            if n:
                con.execute(
                    f"update marts.{ident(t)} set {ident(c)} = replace({ident(c)}, ?, ?)",
                    [old, new],
                )
                changed += n
    finally:
        con.close()
    return changed


def rename_center(data_dir: Path, old: str, new: str) -> None:
    con = duckdb.connect(str(data_dir / "warehouse" / "plcqi.duckdb"))
    try:
        for (t,) in con.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'marts' and column_name = 'center_id'"
        ).fetchall():
            con.execute(
                f"update marts.{ident(t)} set center_id = ? where center_id = ?", [new, old]
            )
    finally:
        con.close()


def csv_downloads(html: str) -> list[list[list[str]]]:
    """Every CSV download of a page, decoded, as rows of cells."""
    return [
        list(csv.reader(io.StringIO(base64.b64decode(m).decode("utf-8"))))
        for m in re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    ]


# One tiny warehouse whose marts hold every kind of awkward text, and centers named like the
# site's own files, rendered once by `plcqi report` in a process of its own (vl-convert
# panics, aborting the process with rc 134, on a character XML forbids).
ALASKA = "Alaska (see the online= portal)"
QUESTION = "@SUM(A1:A9) bell\x07he\ufffere url(x) onload=alert(1) javascript:alert(1) <img src=x>"
FORMULAS = {
    "Alabama": "-1+cmd|' /C calc'!A0",
    "Arizona": '+1+HYPERLINK("http://x.example")',
    "Guam": "=1+1",
}
CENTER_NAME = "Center One (write to help@c1.example.org)"
EARLIER = "2026-03-31.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("robust")
    fixtures.build(d)
    assert replace_text(d, "Alaska", ALASKA)
    assert replace_text(d, f"{fixtures.XSS} Was this useful?", QUESTION)
    for old, new in FORMULAS.items():
        assert replace_text(d, old, new)
    assert replace_text(d, "Center One", CENTER_NAME)
    rename_center(d, "C1", "index.html")
    rename_center(d, "C2", "leadership")
    con = duckdb.connect(str(d / "warehouse" / "plcqi.duckdb"))
    con.execute("insert into marts.dim_centers values ('../x', 'Escaping Center', 'OCC', 0)")
    con.close()
    reports = d / "reports"
    # main's layout let a center called index.html turn the index into a folder
    for old in ("index.html", "C9"):
        (reports / old).mkdir(parents=True)
        (reports / old / EARLIER).write_text("<p>an earlier report</p>")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from plcqi.cli import main; main()",
            "report",
            "--data-dir",
            str(d),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]  # one center could not be published
    assert "not published: no report for center '../x'" in proc.stderr, proc.stderr[-3000:]
    return d


def page(site: Path, center: str = "index.html") -> str:
    return (site / "reports" / layout.center_page(center, AS_OF)).read_text()


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


# --- labels that vl-convert cannot take --------------------------------------------------


def test_control_characters_in_labels_are_removed_from_the_charts(site):
    drawn = svgs(page(site))
    assert drawn and not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", s) for s in drawn)
    assert any("bellhere" in s for s in drawn)  # the label itself is drawn, cleaned


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def test_label_cleaning_reaches_every_text_of_a_spec():
    spec = charts.rate_bars(
        [{"name": "a\x00b", "value": 0.5}],
        category="name",
        category_title="t\x08",
        value_title="v\u202e",
        description="d\x1f",
        sort=["a\x00b"],
    )
    texts = list(_strings(spec))
    assert "ab" in texts and "d" in texts and "t" in texts
    assert not any(re.search("[\x00-\x1f\u202e]", t) for t in texts)
    assert charts.label("Alaska\n(see\tthe portal)") == "Alaska (see the portal)"


# --- text that looks like markup ---------------------------------------------------------


def test_text_that_looks_like_active_content_is_published_as_text(site):
    html = page(site)
    assert ALASKA in html
    # The center page draws no grantee name in a chart any more (the grantee x session grid
    # is a CSV file next to it, which holds the name as text); a chart labelled with it is
    # drawn and passes the SVG check.
    grid = site / "reports" / layout.center_attendance_csv("index.html", AS_OF)
    assert ALASKA in grid.read_text()
    svg = _chart_svg()
    assert ALASKA in svg
    safety.check_svg(svg)
    assert "url(x) onload=alert(1) javascript:alert(1) &lt;img src=x&gt;" in html
    assert "<img" not in html
    safety.check_html(html)


def _chart_svg() -> str:
    spec = charts.rate_bars(
        [{"name": ALASKA, "value": 0.5}],
        category="name",
        category_title=None,
        value_title="v",
        description="d",
    )
    return charts.to_svg(spec)


@pytest.mark.parametrize(
    "inject",
    [
        lambda s: s.replace("</svg>", "<script>alert(1)</script></svg>"),
        lambda s: s.replace("<svg ", '<svg onload="alert(1)" ', 1),
        lambda s: s.replace("<g ", '<g ONCLICK="alert(1)" ', 1),
        lambda s: s.replace("</svg>", "<foreignObject><p>x</p></foreignObject></svg>"),
        lambda s: s.replace("</svg>", '<a href="javascript:alert(1)"><text>x</text></a></svg>'),
        lambda s: s.replace("<path ", '<path fill="url(https://example.org/x)" ', 1),
        lambda s: s.replace("</svg>", '<image href="https://example.org/x.png"/></svg>'),
        lambda s: s.replace("</svg>", '<set attributeName="href" to="javascript:x"/></svg>'),
    ],
    ids=[
        "script",
        "onload",
        "onclick-upper",
        "foreignObject",
        "a-javascript",
        "url-fill",
        "image",
        "set",
    ],
)
def test_a_real_chart_with_active_content_is_refused(inject):
    svg = _chart_svg()
    assert safety.check_svg(svg) == svg  # the chart itself, with the Alaska label, passes
    bad = inject(svg)
    assert bad != svg
    with pytest.raises(safety.UnsafeReport, match="active content|not well-formed"):
        safety.check_svg(bad)


def test_a_page_that_loads_something_is_still_refused():
    safety.check_html(f"<p>{ALASKA} url(x) &lt;script&gt;</p>")
    for bad in (
        '<p>x</p><img src="https://example.org/x.png">',
        '<p style="background: url(//example.org/x)">x</p>',
        "<style>@import 'https://example.org/x.css';</style>",
        "<script>alert(1)</script>",
        '<p onmouseover="alert(1)">x</p>',
    ):
        with pytest.raises(safety.UnsafeReport):
            safety.check_html(bad)


def test_an_email_address_in_a_label_is_removed_not_blocking(site):
    html = page(site)
    assert "Center One (write to [email removed])" in html and "help@c1" not in html
    assert not any("help@c1" in cell for t in csv_downloads(html) for row in t for cell in row)


# --- CSV downloads -------------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _plain_number(text: str) -> bool:
    try:
        float(text.rstrip("%").replace(",", ""))
        return True
    except ValueError:
        return False


def test_every_csv_cell_that_a_spreadsheet_would_run_is_neutralized(site):
    pages = sorted(p for p in (site / "reports").rglob("*.html") if p.is_file())
    cells = [cell for p in pages for t in csv_downloads(p.read_text()) for row in t for cell in row]
    assert cells
    for formula in [*FORMULAS.values(), "@SUM(A1:A9)"]:
        assert any(c.startswith("'" + formula) for c in cells), formula
        assert not any(c.startswith(formula) for c in cells), formula
    risky = [c for c in cells if c.lstrip(" ").startswith(TRIGGERS) and not _plain_number(c)]
    assert risky == [], risky[:5]


def test_spreadsheet_safe_keeps_plain_numbers_and_checks_the_header_too():
    t = table(
        "t",
        "c",
        [column("a", "=cmd()"), column("b", "B")],
        [
            {"a": {"text": "-1.5", "state": "value"}, "b": {"text": "+3", "state": "value"}},
            {"a": {"text": "-1+2", "state": "value"}, "b": {"text": "\tx", "state": "value"}},
        ],
    )
    rows = list(csv.reader(io.StringIO(to_csv(t))))
    assert rows == [["'=cmd()", "B"], ["-1.5", "+3"], ["'-1+2", "'\tx"]]
    assert spreadsheet_safe("  =1") == "'  =1" and spreadsheet_safe("12%") == "12%"


# --- center ids ---------------------------------------------------------------------------


def test_center_ids_never_take_the_place_of_the_sites_files(site):
    reports = site / "reports"
    assert (reports / "index.html").is_file()
    assert (reports / "leadership" / f"{AS_OF}.html").is_file()
    assert (reports / "centers" / "index.html" / f"{AS_OF}.html").is_file()
    assert (reports / "centers" / "leadership" / f"{AS_OF}.html").is_file()
    index = (reports / "index.html").read_text()
    for href in (
        f"centers/index.html/{AS_OF}.html",
        f"centers/leadership/{AS_OF}.html",
        f"leadership/{AS_OF}.html",
    ):
        assert f'href="{href}"' in index, href
    assert 'href="../../index.html"' in page(site)  # the crumbs lead back to the site's index
    # the next run works too
    render_center(site, "index.html")
    assert render_index(site).is_file()


def test_roles_follow_the_id_rule(site):
    role = parse_role("center:index.html", {"index.html", "leadership"})
    assert role.may_read(f"centers/index.html/{AS_OF}.html")
    assert not role.may_read("index.html") and not role.may_read(f"leadership/{AS_OF}.html")
    assert not parse_role("center:leadership").may_read(f"leadership/{AS_OF}.html")
    assert parse_role("center:leadership").may_read(f"centers/leadership/{AS_OF}.html")


def test_an_id_that_is_no_path_segment_names_no_folder(site):
    assert not (site / "x").exists() and not (site / "reports" / "x").exists()
    assert not list(site.rglob("Escaping*"))
    with pytest.raises(layout.UnsafeId):
        layout.center_folder("../x")


def test_reports_of_the_old_layout_are_moved_and_a_broken_index_repaired(site):
    reports = site / "reports"
    assert (reports / "index.html").is_file()
    assert (reports / "centers" / "index.html" / EARLIER).is_file()
    assert (reports / "centers" / "C9" / EARLIER).is_file() and not (reports / "C9").exists()
    assert f'href="centers/C9/{EARLIER}"' in (reports / "index.html").read_text()
