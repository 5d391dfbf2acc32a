"""Every setting is documented, and read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcqi import paths, settings
from tests.helpers import REPO

README = REPO / "README.md"


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented_in_the_readme(setting):
    assert setting.env in README.read_text(encoding="utf-8"), (
        f"{setting.env} ({setting.name}) is not documented in README.md"
    )


def test_secrets_have_no_default():
    secrets = [s for s in settings.SETTINGS if s.secret]
    assert {s.env for s in secrets} >= {"PLCQI_PII_SECRET", "PLCQI_TRACKER_DSN"}
    assert all(s.default is None for s in secrets)


def test_environment_overrides_default(monkeypatch):
    assert settings.get("tracker_table") == "tracker.ta_requests"
    monkeypatch.setenv("PLCQI_TRACKER_TABLE", "replica.ta_changes")
    assert settings.get("tracker_table") == "replica.ta_changes"
    monkeypatch.setenv("PLCQI_TRACKER_TABLE", "")
    assert settings.get("tracker_table") == "tracker.ta_requests"


def test_pii_key_from_environment_else_announced_demo_key(monkeypatch, capsys):
    monkeypatch.setenv("PLCQI_PII_SECRET", "s3cret-of-thirty-two-bytes-or-more")
    assert settings.pii_key() == b"s3cret-of-thirty-two-bytes-or-more"
    monkeypatch.delenv("PLCQI_PII_SECRET")
    monkeypatch.setattr(settings, "_announced", False)
    assert settings.pii_key() == settings.DEMO_KEY.encode()
    assert "PLCQI_PII_SECRET is not set" in capsys.readouterr().err


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    assert paths.data_dir() == Path("data").resolve()
    monkeypatch.setenv("PLCQI_DATA_DIR", str(tmp_path))
    assert paths.data_dir() == tmp_path.resolve()
    assert paths.data_dir(tmp_path / "x") == (tmp_path / "x").resolve()
    assert paths.warehouse() == tmp_path.resolve() / "warehouse" / "plcqi.duckdb"


def test_the_readme_settings_table_is_the_generated_one():
    """The README's table is ``python -m plcqi.settings``'s output, row for row."""
    assert settings.markdown_table() in README.read_text(encoding="utf-8"), (
        "README.md's settings table differs from the settings table: paste the output of "
        "`uv run python -m plcqi.settings` into it"
    )


def _with_parents(tree_path: Path):
    import ast

    tree = ast.parse(tree_path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node  # type: ignore[attr-defined]
    return tree


def test_only_the_settings_module_reads_the_environment():
    import ast

    offenders = []
    files = sorted((REPO / "src" / "plcqi").rglob("*.py")) + sorted((REPO / "dags").glob("*.py"))
    for path in files:
        if path.name == "settings.py" and path.parent.name == "plcqi":
            continue
        tree = _with_parents(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "getenv":
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} os.getenv")
            elif isinstance(node, ast.Attribute) and node.attr == "environ":
                parent = node.parent
                # writes are fine (the environment handed to a child process or library)
                if isinstance(parent, ast.Attribute) and parent.attr in ("setdefault", "update"):
                    continue
                if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
                    continue
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno} os.environ")
    assert not offenders, "read the environment through plcqi.settings: " + ", ".join(offenders)


def test_the_scan_finds_a_read(tmp_path):
    """The scan above can fail: it finds a plain read."""
    import ast

    path = tmp_path / "m.py"
    path.write_text("import os\nx = os.environ.get('PLCQI_X')\n")
    tree = _with_parents(path)
    reads = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "environ"]
    assert reads and not isinstance(reads[0].parent, ast.Subscript)


def test_settings_command_lists_every_setting_and_hides_secrets(monkeypatch):
    from click.testing import CliRunner

    from plcqi.cli import main

    monkeypatch.setenv("PLCQI_PG_PASSWORD", "hunter2-not-shown")
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0, result.output
    for s in settings.SETTINGS:
        assert s.env in result.output
    assert "hunter2-not-shown" not in result.output
    assert "(set)" in result.output
