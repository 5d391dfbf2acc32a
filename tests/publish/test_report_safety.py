"""Escaping, redaction and self-containment of the rendered pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plcqi.publish import render, render_all, render_center
from plcqi.publish.safety import UnsafeReport, check_html, check_marts, check_svg, redact
from tests.fixtures import warehouse as fixtures


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("tiny")
    fixtures.build(d)
    result = render_all(d)
    out = {p.relative_to(d / "reports").as_posix(): p.read_text() for p in result.paths}
    with_comments = render_center(d, "C1", include_comments=True)
    out["C1-comments"] = with_comments.read_text()
    return out


def test_environment_always_autoescapes():
    env = render.environment()
    assert env.autoescape is True
    template = env.from_string("{{ x }}")
    assert template.render(x="<script>alert(1)</script>") == \
        "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_script_payloads_render_as_text(pages):
    for name, html in pages.items():
        assert "<script" not in html.lower(), name
    c1 = pages["centers/C1/2026-06-30.html"]
    # the grantee name and the poll question carry the payload: escaped, present as text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Nation" in c1
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Was this useful?" in c1


def test_comments_are_redacted_and_escaped_when_enabled(pages):
    assert "Survey comments" not in pages["centers/C1/2026-06-30.html"]
    html = pages["C1-comments"]
    assert "Call [phone removed] about &lt;script&gt;" in html
    assert "[email removed]" in html and "jo.smith" not in html and "123-4567" not in html


def test_no_email_or_external_resource_in_any_page(pages):
    for name, html in pages.items():
        check_html(html)
        assert not re.search(r"<(img|script|link|iframe)\b", html), name
        assert "default-src 'none'" in html, name  # CSP: the page cannot load anything


def test_suppressed_cells_are_marked_in_html(pages):
    c1 = pages["centers/C1/2026-06-30.html"]
    assert 'class="cell-suppressed num"' in c1 and ">n&lt;3<" in c1
    assert 'class="cell-complementary num"' in c1
    assert "K9" not in c1 and "Other Center" not in c1


def test_every_chart_has_title_text_alternative_and_table(pages):
    c1 = pages["centers/C1/2026-06-30.html"]
    figures = re.findall(r'<figure class="chart".*?</figure>', c1, re.S)
    assert figures
    for f in figures:
        assert "<figcaption>" in f and 'class="alt"' in f and "<svg" in f
        assert "<summary>Show as table</summary>" in f and 'download="' in f
        assert 'href="data:text/csv;charset=utf-8;base64,' in f


def test_redact():
    assert redact("a.b@c.org, +44 20 7946 0958 and 555-123-4567") == \
        "[email removed], [phone removed] and [phone removed]"
    assert redact("2024-05-01: 12 of 56 states") == "2024-05-01: 12 of 56 states"


def test_svg_and_html_checks_refuse_active_content():
    with pytest.raises(UnsafeReport):
        check_svg('<svg><a xlink:href="https://x.org">x</a></svg>')
    with pytest.raises(UnsafeReport):
        check_svg('<svg onload="alert(1)"></svg>')
    with pytest.raises(UnsafeReport):
        check_html("<p>mail ana@example.org</p>")
    with pytest.raises(UnsafeReport):
        check_html('<style>body{background:url("https://x.org/a.png")}</style>')


def test_marts_with_personal_columns_are_refused(tmp_path):

    from plcqi.publish import PublishError, warehouse
    check_marts({"dim_grantees": ["grantee_id", "grantee_name"]})
    fixtures.build(tmp_path, "alter table marts.dim_grantees add column email varchar")
    with (pytest.raises((UnsafeReport, PublishError), match="personal data"),
          warehouse.connect(tmp_path)):
        pass


def test_reports_are_written_readable(tmp_path):
    fixtures.build(tmp_path)
    path = render_center(tmp_path, "C1")
    assert oct(Path(path).stat().st_mode & 0o777) == "0o644"


def test_attendance_csv_is_a_file_of_the_centers_folder(pages, tmp_path_factory):
    from plcqi.publish.access.roles import parse_role

    c1 = pages["centers/C1/2026-06-30.html"]
    assert 'href="2026-06-30-attendance.csv" download="2026-06-30-attendance.csv"' in c1
    assert "data:text/csv" in c1 and "Show as table" in c1  # other tables keep theirs
    root = next(p for p in tmp_path_factory.getbasetemp().rglob("centers/C1")
                if (p / "2026-06-30-attendance.csv").is_file())
    text = (root / "2026-06-30-attendance.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == ("Cohort,Grantee id,Grantee,Status,Session,Date,Attended,"
                        "Sessions of the cohort attended")
    assert f"K1,G5,{fixtures.XSS} Nation,\"registered, never attended\",S1," in text
    assert "@" not in text  # no e-mail address, as on the page
    # the folder's readers: the center's role reads it, another center's does not
    assert parse_role("center:C1").may_read("centers/C1/2026-06-30-attendance.csv")
    assert not parse_role("center:C2").may_read("centers/C1/2026-06-30-attendance.csv")
