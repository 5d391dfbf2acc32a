"""Every setting is documented, and read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from plcqi import settings

README = Path(__file__).resolve().parents[1] / "README.md"


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
    monkeypatch.setenv("PLCQI_PII_SECRET", "s3cret")
    assert settings.pii_key() == b"s3cret"
    monkeypatch.delenv("PLCQI_PII_SECRET")
    monkeypatch.setattr(settings, "_announced", False)
    assert settings.pii_key() == settings.DEMO_KEY.encode()
    assert "PLCQI_PII_SECRET is not set" in capsys.readouterr().err


def test_data_dir_default_and_override(monkeypatch, tmp_path):
    assert settings.data_dir() == Path("data").resolve()
    monkeypatch.setenv("PLCQI_DATA_DIR", str(tmp_path))
    assert settings.data_dir() == tmp_path.resolve()
    assert settings.data_dir(tmp_path / "x") == (tmp_path / "x").resolve()
