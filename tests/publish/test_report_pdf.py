"""``plcqi report --pdf``: each report printed by headless Chromium to a real PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from plcqi.cli.report import report_command
from plcqi.publish.pdf import find_chromium
from tests.fixtures import warehouse as fixtures

pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="needs Chromium (scripts/setup installs it)")


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF: its page objects (``/Type /Page``, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def test_report_pdf_is_a_real_pdf(tmp_path):
    fixtures.build(tmp_path)
    result = CliRunner().invoke(report_command, ["--data-dir", str(tmp_path), "--center", "C1",
                                                 "--pdf"])
    assert result.exit_code == 0, result.output
    assert ", 1 PDF(s)" in result.output
    pdf = tmp_path / "reports" / "centers" / "C1" / "2026-06-30.pdf"
    assert str(pdf) in result.output
    data = Path(pdf).read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-1024:]
    assert pdf_pages(data) >= 1
    assert not list(pdf.parent.glob(".*.tmp"))  # written atomically, nothing left behind
