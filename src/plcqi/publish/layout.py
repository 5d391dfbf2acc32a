"""The layout of ``DATA_DIR/reports/``: one home for every page's place and every link
between pages.

::

    reports/index.html                          every report, by center and period
    reports/centers/<center_id>/<as_of>.html    a center's CQI report (and .pdf)
    reports/leadership/<as_of>.html             the cross-center report
    reports/data-quality/<as_of>.html           quarantine, quality gates, freshness
    reports/data-docs/index.html                Great Expectations Data Docs

Center reports live in a folder of their own, so that no center id (``index.html``,
``leadership``, ``assets`` are all valid ids) can name one of the site's own files or
folders; an id that is not one path segment of the id alphabet never names a folder at all.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date

INDEX = "index.html"
CENTERS = "centers"
LEADERSHIP = "leadership"
DATA_QUALITY = "data-quality"
DATA_DOCS = "data-docs"
# The site's own top-level names (a center report folder of the old layout is any other).
SITE = frozenset({INDEX, CENTERS, LEADERSHIP, DATA_QUALITY, DATA_DOCS})
# The id rule of the input contract: 1 to 64 of A-Z a-z 0-9 . _ -, not starting with '.'.
CENTER_ID_PATTERN = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}"
CENTER_ID_RE = re.compile(rf"^{CENTER_ID_PATTERN}$")
REPORT_FILE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.(?:html|pdf)$")


class UnsafeId(ValueError):
    """A center id that cannot name a report folder."""


def is_center_id(text: str) -> bool:
    """Whether ``text`` may name a center's report folder.

    >>> [is_center_id(t) for t in ("SCBC", "index.html", "a.b-c_d", "../x", ".x", "", "a/b")]
    [True, True, True, False, False, False, False]
    """
    return bool(CENTER_ID_RE.match(text or "")) and "\n" not in text


def center_folder(center_id: str) -> str:
    """The folder of a center's reports, relative to ``reports/``.

    >>> center_folder("index.html")
    'centers/index.html'
    >>> center_folder("../x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plcqi.publish.layout.UnsafeId: '../x' cannot name a report folder: a center id is 1 to 64 ...
    """
    if not is_center_id(center_id):
        raise UnsafeId(
            f"{center_id!r} cannot name a report folder: a center id is 1 to 64 "
            "letters, digits, '.', '_' or '-', not starting with '.'"
        )
    return f"{CENTERS}/{center_id}"


def center_page(center_id: str, as_of: date) -> str:
    """A center's report of an as-of date, relative to ``reports/``.

    >>> center_page("C1", date(2026, 6, 30))
    'centers/C1/2026-06-30.html'
    """
    return f"{center_folder(center_id)}/{as_of.isoformat()}.html"


def leadership_page(as_of: date) -> str:
    return f"{LEADERSHIP}/{as_of.isoformat()}.html"


def data_quality_page(as_of: date) -> str:
    return f"{DATA_QUALITY}/{as_of.isoformat()}.html"


DATA_DOCS_PAGE = f"{DATA_DOCS}/{INDEX}"


def link(from_page: str, to_page: str) -> str:
    """The relative link from one page of ``reports/`` to another.

    >>> link("centers/C1/2026-06-30.html", "index.html")
    '../../index.html'
    >>> link("leadership/2026-06-30.html", "data-quality/2026-06-30.html")
    '../data-quality/2026-06-30.html'
    >>> link("index.html", "centers/C1/2026-06-30.html")
    'centers/C1/2026-06-30.html'
    """
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def center_of(path: str) -> str | None:
    """The center whose report folder holds a path of ``reports/``, else None.

    >>> center_of("centers/C1/2026-06-30.html"), center_of("leadership/2026-06-30.html")
    ('C1', None)
    """
    parts = path.lstrip("/").split("/")
    if len(parts) >= 3 and parts[0] == CENTERS and is_center_id(parts[1]):
        return parts[1]
    return None
