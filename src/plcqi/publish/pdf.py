"""PDF export of a report with headless Chromium (``--print-to-pdf``), using the print
stylesheet."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-default-apps", "--disable-extensions",
)


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def print_pdf(html: Path, pdf: Path, *, timeout: float = 120) -> Path:
    """Print ``html`` to ``pdf``; raises RuntimeError when no Chromium is installed or it
    fails."""
    browser = find_chromium()
    if browser is None:
        raise RuntimeError("PDF export needs Chromium (scripts/setup installs it)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = pdf.with_name(f".{pdf.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="plcqi-chromium-") as profile:
        done = subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={tmp}", Path(html).resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
    if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"chromium could not print {html}: {done.stderr[-500:]}")
    tmp.replace(pdf)
    return pdf
