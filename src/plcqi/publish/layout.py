"""The layout of ``DATA_DIR/reports/``: one home for every page's place and every link
between pages.

::

    reports/index.html                          every report, by center and period
    reports/centers/<center_id>/<as_of>.html    a center's CQI report (and .pdf)
    reports/centers/<center_id>/<as_of>-attendance.csv  its grantee x session attendance
    reports/leadership/<as_of>.html             the cross-center report
    reports/regions/<N>/<as_of>.html            an ACF region's TA planning report (1-10)
    reports/regions/<N>/grantees/<id>/<as_of>.html  a grantee's profile, in its region's folder
    reports/data-quality/<as_of>.html           quarantine, quality gates, freshness
    reports/data-docs/index.html                Great Expectations Data Docs

Center reports live in a folder of their own, so that no center id (``index.html``,
``leadership``, ``assets`` are all valid ids) can name one of the site's own files or
folders; an id that is not one path segment of the id alphabet never names a folder at all.
A grantee's profile lives in its ACF region's folder (``unassigned`` when the reference gives
it no region), so that a region's readers (role ``region:<N>``) read one folder.
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
REGIONS = "regions"
GRANTEES = "grantees"
ACF_REGIONS = tuple(range(1, 11))
NO_REGION = "unassigned"  # the folder of the profiles of grantees with no ACF region


def region_name(region: int | None) -> str:
    """How a region is named on its pages, its index and its e-mails.

    >>> region_name(4), region_name(None)
    ('ACF Region 4', 'No ACF region')
    """
    return "No ACF region" if region is None else f"ACF Region {region}"
# The site's own top-level names (a center report folder of the old layout is any other).
SITE = frozenset({INDEX, CENTERS, LEADERSHIP, DATA_QUALITY, DATA_DOCS, REGIONS})
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


def center_attendance_csv(center_id: str, as_of: date) -> str:
    """The CSV of a center's grantee x session attendance, next to its report (the same
    folder: the same readers), relative to ``reports/``.

    >>> center_attendance_csv("C1", date(2026, 6, 30))
    'centers/C1/2026-06-30-attendance.csv'
    """
    return f"{center_folder(center_id)}/{as_of.isoformat()}-attendance.csv"


def leadership_page(as_of: date) -> str:
    return f"{LEADERSHIP}/{as_of.isoformat()}.html"


def region_folder(region: int | None) -> str:
    """The folder of an ACF region's report and its grantees' profiles.

    >>> region_folder(10), region_folder(None)
    ('regions/10', 'regions/unassigned')
    >>> region_folder(11)
    Traceback (most recent call last):
    ...
    plcqi.publish.layout.UnsafeId: 11 is not an ACF region (1 to 10)
    """
    if region is None:
        return f"{REGIONS}/{NO_REGION}"
    if region not in ACF_REGIONS:
        raise UnsafeId(f"{region!r} is not an ACF region (1 to 10)")
    return f"{REGIONS}/{int(region)}"


def region_page(region: int, as_of: date) -> str:
    """An ACF region's report of an as-of date, relative to ``reports/``.

    >>> region_page(5, date(2026, 6, 30))
    'regions/5/2026-06-30.html'
    """
    if region is None:
        raise UnsafeId("a region report needs an ACF region (1 to 10)")
    return f"{region_folder(region)}/{as_of.isoformat()}.html"


def grantee_folder(grantee_id: str, region: int | None) -> str:
    """The folder of a grantee's profiles (the id rule is the center id's).

    >>> grantee_folder("MA", 1)
    'regions/1/grantees/MA'
    """
    if not is_center_id(grantee_id):
        raise UnsafeId(f"{grantee_id!r} cannot name a profile folder: a grantee id is 1 to 64 "
                       "letters, digits, '.', '_' or '-', not starting with '.'")
    return f"{region_folder(region)}/{GRANTEES}/{grantee_id}"


def grantee_page(grantee_id: str, region: int | None, as_of: date) -> str:
    """A grantee's profile of an as-of date, relative to ``reports/``.

    >>> grantee_page("MA", 1, date(2026, 6, 30))
    'regions/1/grantees/MA/2026-06-30.html'
    """
    return f"{grantee_folder(grantee_id, region)}/{as_of.isoformat()}.html"


def region_of(path: str) -> int | None:
    """The ACF region whose folder holds a path of ``reports/``, else None.

    >>> region_of("regions/1/grantees/MA/2026-06-30.html"), region_of("regions/10/x.html")
    (1, 10)
    >>> region_of("regions/unassigned/grantees/X/d.html"), region_of("regions/01/x.html")
    (None, None)
    """
    parts = path.lstrip("/").split("/")
    if len(parts) >= 3 and parts[0] == REGIONS and parts[1] in {str(r) for r in ACF_REGIONS}:
        return int(parts[1])
    return None


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
