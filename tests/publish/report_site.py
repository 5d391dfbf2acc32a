"""Helpers for the access, serve and delivery tests (not a conftest.py: tests/conftest.py is
imported as `conftest` by the other tests): a small report folder written by hand in
the layout of ``plcqi.publish.api`` (two centers, two ACF regions with a grantee profile,
leadership, data quality, Data Docs), and
its readers added through ``plcqi.publish.access`` (real bcrypt hashes)."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

AS_OF = date(2026, 6, 30)
EARLIER = date(2026, 5, 31)
PASSWORD = "correct horse battery staple"
# name, role, e-mail
READERS = (
    ("ana", "center:C1", "ana@center-one.example.org"),
    ("ben", "center:C2", "ben@center-two.example.org"),
    ("lee", "leadership", "lee@occ.example.gov"),
    ("eng", "engineer", "eng@plcqi.example.org"),
    ("cy", "center:C1", None),  # reads C1, gets no e-mail
    ("rae", "region:1", "rae@acf-region-one.example.gov"),
)
PAGES = {
    f"centers/C1/{AS_OF}.html": "Center One report",
    f"centers/C1/{EARLIER}.html": "Center One earlier report",
    f"centers/C2/{AS_OF}.html": "Center Two report",
    f"leadership/{AS_OF}.html": "Leadership report",
    f"data-quality/{AS_OF}.html": "Data-quality page",
    f"regions/1/{AS_OF}.html": "Region One report",
    f"regions/1/grantees/MA/{AS_OF}.html": "Massachusetts profile",
    f"regions/10/{AS_OF}.html": "Region Ten report",
    f"regions/10/grantees/WA/{AS_OF}.html": "Washington profile",
    "data-docs/index.html": "Data Docs",
}


def page(title: str) -> str:
    # Long enough to be worth compressing (gzip_min_length).
    return (f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>"
            + "<p>figures</p>" * 200 + "</body></html>\n")


def write_reports(data_dir: Path) -> Path:
    root = data_dir / "reports"
    for rel, title in PAGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(page(title), encoding="utf-8")
    return root


def make_site(data_dir: Path, readers=READERS) -> Path:
    """Reports, the index, the audience indexes and the readers of ``READERS``."""
    from plcqi.publish import access, render_index

    write_reports(data_dir)
    render_index(data_dir)
    for name, role, email in readers:
        access.add(data_dir, name, role, PASSWORD, email)
    return data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

