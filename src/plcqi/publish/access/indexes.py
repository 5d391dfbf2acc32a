"""One index page per audience, ``DATA_DIR/access/indexes/<audience>.html``: what a role
may read, by as-of date, and nothing else: a center's index never links another center.

Built from the full index's context (``plcqi.publish.api.index_context``, the one listing
of the reports on disk) and its template (``reports/index.html``); ``plcqi serve`` shows a
user their audience's page at ``/``.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

from plcqi import paths
from plcqi.files import write_atomic
from plcqi.publish import layout
from plcqi.publish.access.roles import ENGINEER, LEADERSHIP, AccessError, Role

log = logging.getLogger("plcqi.publish.access")


def indexes_dir(data_dir: Path | str | None) -> Path:
    return paths.access_dir(data_dir) / "indexes"


def for_role(index: dict, role: Role) -> dict:
    """The index context cut to what ``role`` may read.

    >>> full = {"title": "plcqi reports", "crumbs": [], "leadership": [{"as_of": "d"}],
    ...         "data_quality": [{"as_of": "d"}], "data_docs": "data-docs/index.html",
    ...         "centers": [{"id": "C1", "name": "One", "reports": []},
    ...                     {"id": "C2", "name": "Two", "reports": []}]}
    >>> ctx = for_role(full, Role("center", "C1"))
    >>> [c["id"] for c in ctx["centers"]], ctx["leadership"], ctx["show_quality"]
    (['C1'], [], False)
    >>> for_role(full, Role("leadership"))["data_docs"] is None
    True
    >>> full["regions"] = [{"id": 1, "name": "ACF Region 1"}, {"id": 2, "name": "ACF Region 2"}]
    >>> ctx = for_role(full, Role("region", region=2))
    >>> [r["id"] for r in ctx["regions"]], ctx["centers"], ctx["title"]
    ([2], [], 'ACF Region 2: TA planning reports and grantee profiles')
    >>> for_role(full, Role("center", "C1"))["regions"]
    []
    """
    ctx = copy.deepcopy(index)
    ctx["show_quality"] = role.kind == ENGINEER
    if role.kind != ENGINEER:
        ctx["data_quality"], ctx["data_docs"] = [], None
    if role.kind in ("center", "region"):
        ctx["leadership"] = []
    if role.kind == "region":
        ctx["centers"] = []
        ctx["regions"] = [r for r in ctx.get("regions", []) if r["id"] == role.region]
        ctx["title"] = (f"{layout.region_name(role.region)}: TA planning reports and "
                        "grantee profiles")
    elif role.kind == "center":
        ctx["centers"] = [c for c in ctx["centers"] if c["id"] == role.center_id]
        ctx["regions"] = []
        name = ctx["centers"][0]["name"] if ctx["centers"] else role.center_id
        ctx["title"] = f"{name}: CQI reports"
    elif role.kind == LEADERSHIP:
        ctx["title"] = "CQI reports for OCC leadership"
    else:
        ctx["title"] = "plcqi reports, data quality and Data Docs"
    return ctx


def roles_to_render(index: dict, users) -> list[Role]:
    centers = {c["id"] for c in index["centers"]}
    regions = {r["id"] for r in index.get("regions", []) if r["id"] is not None}
    for u in users:
        try:
            role = u.parsed_role
        except AccessError:
            continue
        if role.kind == "center":
            centers.add(role.center_id)
        elif role.kind == "region":
            regions.add(role.region)
    return ([Role(ENGINEER), Role(LEADERSHIP)] + [Role("center", c) for c in sorted(centers)]
            + [Role("region", region=r) for r in sorted(regions)])


def render(data_dir: Path | str | None, users=None, index: dict | None = None) -> list[Path]:
    """Write every audience's index (stale ones removed); returns their paths."""
    from plcqi.publish import api
    from plcqi.publish import render as pages
    from plcqi.publish.access import users as users_file

    if users is None:
        try:
            users = users_file.load(data_dir)
        except AccessError as e:
            log.warning("plcqi: %s; indexes only for the centers with reports", e)
            users = []
    index = index if index is not None else api.index_context(data_dir)
    folder = indexes_dir(data_dir)
    written = []
    for role in roles_to_render(index, users):
        path = folder / f"{role.audience}.html"
        write_atomic(path, pages.render_page("index.html", for_role(index, role)))
        written.append(path)
    for stale in set(folder.glob("*.html")) - set(written):
        stale.unlink(missing_ok=True)
    return written
