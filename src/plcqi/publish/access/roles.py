"""Roles and audiences: who may read which part of ``reports/``.

A role is what a user is (``center:<CENTER_ID>``, ``region:<N>``, ``leadership``,
``engineer``); an audience is what they read, and names their index page and the report
e-mailed to them. A region's State Systems Specialists (``region:<N>``, ACF regions 1-10) read
their region's TA planning report and its grantees' profiles. Leadership reads every center,
every region and the leadership report; engineers read that and the data-quality pages and
Data Docs too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plcqi.publish import layout

LEADERSHIP = "leadership"
ENGINEER = "engineer"
CENTER_PREFIX = "center:"
REGION_PREFIX = "region:"
ROLE_HELP = "center:<CENTER_ID>, region:<N> (ACF region 1-10), leadership or engineer"
# A center id names a folder of reports/centers/ and appears in the nginx configuration:
# the input contract's id rule (plcqi.publish.layout) keeps it to characters that need no
# quoting in either.


class AccessError(ValueError):
    """A user, role or access file that cannot be used, with the reason in plain words."""


@dataclass(frozen=True)
class Role:
    kind: str  # "center", "region", "leadership" or "engineer"
    center_id: str | None = None
    region: int | None = None

    def __str__(self) -> str:
        if self.kind == "center":
            return f"{CENTER_PREFIX}{self.center_id}"
        if self.kind == "region":
            return f"{REGION_PREFIX}{self.region}"
        return self.kind

    @property
    def audience(self) -> str:
        """The name of this role's index page and report e-mail.

        >>> parse_role("center:C1").audience, parse_role("region:4").audience
        ('center-C1', 'region-4')
        """
        if self.kind == "center":
            return f"center-{self.center_id}"
        if self.kind == "region":
            return f"region-{self.region}"
        return self.kind

    def report(self, as_of: date) -> str:
        """The page of ``reports/`` this role is sent for an as-of date.

        >>> parse_role("center:C1").report(date(2026, 6, 30))
        'centers/C1/2026-06-30.html'
        >>> parse_role("engineer").report(date(2026, 6, 30))
        'data-quality/2026-06-30.html'
        >>> parse_role("region:4").report(date(2026, 6, 30))
        'regions/4/2026-06-30.html'
        """
        if self.kind == "center":
            return layout.center_page(self.center_id, as_of)
        if self.kind == "region":
            return layout.region_page(self.region, as_of)
        if self.kind == LEADERSHIP:
            return layout.leadership_page(as_of)
        return layout.data_quality_page(as_of)

    def may_read(self, path: str) -> bool:
        """Whether a path of ``reports/`` (``centers/C1/2026-06-30.html``) is this role's to
        read. The nginx configuration says the same for the server (``nginx.AUTHZ_RULES``).

        >>> role = parse_role("center:C1")
        >>> role.may_read("centers/C1/2026-06-30.html"), role.may_read("centers/C2/x.html")
        (True, False)
        >>> parse_role("center:index.html").may_read("index.html")
        False
        >>> parse_role("leadership").may_read("data-quality/2026-06-30.html")
        False
        >>> region = parse_role("region:1")
        >>> region.may_read("regions/1/grantees/MA/2026-06-30.html")
        True
        >>> region.may_read("regions/10/2026-06-30.html"), region.may_read("centers/C1/x.html")
        (False, False)
        """
        rel = path.lstrip("/")
        top = rel.split("/", 1)[0]
        if "/" not in rel:
            return self.kind == ENGINEER
        if self.kind == ENGINEER:
            return True
        if self.kind == LEADERSHIP:
            return top not in (layout.DATA_QUALITY, layout.DATA_DOCS)
        if self.kind == "region":
            return layout.region_of(rel) == self.region
        return layout.center_of(rel) == self.center_id


def parse_role(text: str, known_centers: set[str] | None = None) -> Role:
    """A role from its text; with ``known_centers``, a center must be one of them.

    >>> parse_role("leadership")
    Role(kind='leadership', center_id=None, region=None)
    >>> parse_role("center:SCBC", {"SCBC"})
    Role(kind='center', center_id='SCBC', region=None)
    >>> parse_role("region:10")
    Role(kind='region', center_id=None, region=10)
    >>> parse_role("region:11")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plcqi.publish.access.roles.AccessError: '11' is not an ACF region: a region role is ...
    >>> parse_role("admin")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plcqi.publish.access.roles.AccessError: unknown role 'admin': a role is center:<CENTER_ID>, ...
    """
    text = (text or "").strip()
    if text in (LEADERSHIP, ENGINEER):
        return Role(text)
    if text.startswith(CENTER_PREFIX):
        center_id = text[len(CENTER_PREFIX):]
        if not layout.is_center_id(center_id):
            raise AccessError(f"{center_id!r} is not a center id (1 to 64 letters, digits, "
                              "'.', '-' and '_', not starting with '.')")
        if known_centers is not None and center_id not in known_centers:
            known = ", ".join(sorted(known_centers)) or "none yet"
            raise AccessError(f"unknown center {center_id!r}: the centers are {known} (from "
                              "the marts and the report folders; publish the reports first "
                              "when this is a new center)")
        return Role("center", center_id)
    if text.startswith(REGION_PREFIX):
        number = text[len(REGION_PREFIX):]
        if number not in {str(r) for r in layout.ACF_REGIONS}:
            raise AccessError(f"{number!r} is not an ACF region: a region role is region:1 to "
                              "region:10")
        return Role("region", region=int(number))
    raise AccessError(f"unknown role {text!r}: a role is {ROLE_HELP}")
