"""Pages written by ``render.Pages``' worker processes are the pages written one by one, and
an unsafe page is refused (not written) whichever process renders it."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from plcqi.publish import planning, render, safety, warehouse
from tests.shared_demo import AS_OF

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def profiles(demo_copy_module) -> list[dict]:
    with warehouse.connect(demo_copy_module) as con:
        found = planning.profile_rows(con)
        assert len(found.profiles) >= 3, "the demo needs a few grantees"
        # each as its own page, and as read alone (the same rows)
        ids = sorted(found.profiles)[:12]
        alone = planning.grantee_context(con, ids[0], AS_OF)
        assert alone == planning.grantee_context(con, ids[0], AS_OF, found)
        return [planning.grantee_context(con, gid, AS_OF, found) for gid in ids]


def test_workers_write_the_same_pages(profiles, tmp_path):
    written = {}
    for workers in (1, 2):
        folder = tmp_path / f"w{workers}"
        folder.mkdir()
        with render.Pages(workers) as pages:
            for i, ctx in enumerate(profiles):
                pages.submit(folder / f"{i}.html", "grantee.html", {**ctx, "crumbs": []})
        written[workers] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert len(written[1]) == len(profiles)
    assert written[2] == written[1]


def test_an_unsafe_page_is_refused_by_a_worker(profiles, tmp_path):
    bad = {**profiles[0], "crumbs": [], "title": Markup('<img src="https://example.org/x">')}
    with pytest.raises(safety.UnsafeReport, match="loads a resource"), render.Pages(2) as pages:
        pages.submit(tmp_path / "good.html", "grantee.html", {**profiles[1], "crumbs": []})
        pages.submit(tmp_path / "bad.html", "grantee.html", bad)
    assert not (tmp_path / "bad.html").exists()
    assert (tmp_path / "good.html").exists()
