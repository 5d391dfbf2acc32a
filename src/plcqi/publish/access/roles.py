"""Roles and audiences: who may read which part of ``reports/``.

A role is what a user is (``center:<CENTER_ID>``, ``leadership``, ``engineer``); an audience
is what they read, and names their index page and the report e-mailed to them. Leadership
reads every center and the leadership report; engineers read that and the data-quality pages
and Data Docs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

LEADERSHIP = "leadership"
ENGINEER = "engineer"
CENTER_PREFIX = "center:"
ROLE_HELP = "center:<CENTER_ID>, leadership or engineer"
# A center id names a folder of reports/ and appears in the nginx configuration: keep it to
# characters that need no quoting in either (plcqi.publish.api refuses the rest too).
CENTER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
RESERVED = frozenset({"leadership", "data-quality", "data-docs"})


class AccessError(ValueError):
    """A user, role or access file that cannot be used, with the reason in plain words."""


@dataclass(frozen=True)
class Role:
    kind: str  # "center", "leadership" or "engineer"
    center_id: str | None = None

    def __str__(self) -> str:
        return f"{CENTER_PREFIX}{self.center_id}" if self.kind == "center" else self.kind

    @property
    def audience(self) -> str:
        """The name of this role's index page and report e-mail.

        >>> parse_role("center:C1").audience, parse_role("engineer").audience
        ('center-C1', 'engineer')
        """
        return f"center-{self.center_id}" if self.kind == "center" else self.kind

    def report(self, as_of: date) -> str:
        """The page of ``reports/`` this role is sent for an as-of date.

        >>> parse_role("center:C1").report(date(2026, 6, 30))
        'C1/2026-06-30.html'
        >>> parse_role("engineer").report(date(2026, 6, 30))
        'data-quality/2026-06-30.html'
        """
        folder = {"center": self.center_id, LEADERSHIP: "leadership",
                  ENGINEER: "data-quality"}[self.kind]
        return f"{folder}/{as_of.isoformat()}.html"

    def may_read(self, path: str) -> bool:
        """Whether a path of ``reports/`` (``C1/2026-06-30.html``) is this role's to read.
        The nginx configuration says the same for the server (``nginx.AUTHZ_RULES``).

        >>> role = parse_role("center:C1")
        >>> role.may_read("C1/2026-06-30.html"), role.may_read("C2/2026-06-30.html")
        (True, False)
        >>> parse_role("leadership").may_read("data-quality/2026-06-30.html")
        False
        """
        top = path.lstrip("/").split("/", 1)[0]
        if "/" not in path.lstrip("/"):
            return self.kind == ENGINEER
        if self.kind == ENGINEER:
            return True
        if self.kind == LEADERSHIP:
            return top not in ("data-quality", "data-docs")
        return top == self.center_id


def parse_role(text: str, known_centers: set[str] | None = None) -> Role:
    """A role from its text; with ``known_centers``, a center must be one of them.

    >>> parse_role("leadership")
    Role(kind='leadership', center_id=None)
    >>> parse_role("center:SCBC", {"SCBC"})
    Role(kind='center', center_id='SCBC')
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
        if not CENTER_ID_RE.match(center_id) or center_id in RESERVED:
            raise AccessError(f"{center_id!r} is not a center id (letters, digits, '-' and "
                              "'_', not leadership, data-quality or data-docs)")
        if known_centers is not None and center_id not in known_centers:
            known = ", ".join(sorted(known_centers)) or "none yet"
            raise AccessError(f"unknown center {center_id!r}: the centers are {known} (from "
                              "the marts and the report folders; publish the reports first "
                              "when this is a new center)")
        return Role("center", center_id)
    raise AccessError(f"unknown role {text!r}: a role is {ROLE_HELP}")
