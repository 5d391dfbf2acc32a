"""``plcqi.paths``: the project files are found in a regular (non-editable) install too."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from plcqi import paths
from tests.helpers import REPO


def test_a_checkout_finds_its_own_project_files():
    assert paths.dbt_project_dir() == REPO / "dbt_project"
    assert paths.expectations_dir() == REPO / "expectations"
    assert paths.templates_dir() == REPO / "reports"


@pytest.mark.slow
def test_a_wheel_install_finds_the_shipped_project_files(tmp_path):
    """Build the wheel, unpack it as pip would install it, and ask plcqi.paths from there."""
    out = tmp_path / "dist"
    subprocess.run(["uv", "build", "--wheel", "--out-dir", str(out), str(REPO)], check=True,
                   capture_output=True)
    (wheel,) = out.glob("plcqi-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    probe = (
        "from plcqi import paths; "
        "print(paths.dbt_project_dir()); print(paths.expectations_dir()); "
        "print(paths.templates_dir())"
    )
    proc = subprocess.run([sys.executable, "-c", probe], env={"PYTHONPATH": str(site)},
                          cwd=tmp_path, check=True, capture_output=True, text=True)
    dbt, expectations, templates = (p for p in proc.stdout.split())
    share = site / "plcqi" / "_share"
    assert dbt == str(share / "dbt_project")
    assert expectations == str(share / "expectations")
    assert templates == str(share / "reports")
    assert (share / "dbt_project" / "dbt_project.yml").is_file()
    assert (share / "dbt_project" / "profiles.yml").is_file()
    assert list((share / "dbt_project" / "models").rglob("*.sql"))
    assert (share / "expectations" / "raw").is_dir()
    assert (share / "reports" / "base.html").is_file()
