"""The rendered pages in headless Chromium (DevTools protocol): no console error, no request
leaving the file, a page that shows something. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcqi.publish import render_all
from plcqi.publish.browser import check_page
from tests.fixtures import warehouse as fixtures
from tests.helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (scripts/setup installs it)")


@pytest.fixture(scope="module")
def tiny_pages(tmp_path_factory) -> list[Path]:
    d = tmp_path_factory.mktemp("tiny")
    fixtures.build(d)
    return render_all(d).paths


def assert_clean(page: Path, name: str, *, min_text: int = 200, min_svg: int = 0) -> None:
    result = check_page(page, SHOTS / f"{name}.png")
    assert result.console_errors == [], result.console_errors
    assert result.external_requests == [], result.external_requests
    assert result.requests and all(u.startswith(("file:", "data:")) for u in result.requests)
    assert result.text_length >= min_text
    assert result.svg_count >= min_svg
    assert result.screenshot_bytes > 20_000, "the screenshot looks blank"


def test_tiny_reports_open_cleanly_offline(tiny_pages):
    for page in tiny_pages:
        kind = page.parent.name if page.name != "index.html" else "index"
        charts = 3 if kind in ("C1", "leadership") else 0
        assert_clean(page, f"tiny-{kind}-{page.stem}", min_svg=charts)


def test_data_docs_open_cleanly_offline_from_the_index(tmp_path):
    from plcqi.quality import docs, store
    from plcqi.quality.result import Finding, SuiteSummary, ValidationResult

    fixtures.build(tmp_path)
    failed = Finding("marts.rates", "expect_column_values_to_be_between", "value", "warning",
                     False, observed=[1.3], message="observed [1.3]",
                     unexpected_rows=[{"cohort_id": "K1"}])
    store.save(tmp_path, ValidationResult(
        stage="marts", validated_at="2026-07-01T02:00:00+00:00", as_of="2026-06-30",
        data_dir=str(tmp_path), findings=[failed],
        suites=[SuiteSummary("marts.rates", "rates", 10, 1, 0, 0, 1)]))
    page = docs.publish(tmp_path)
    index = render_all(tmp_path).index
    assert 'href="data-docs/index.html"' in index.read_text()
    assert_clean(page, "tiny-data-docs", min_text=100)
