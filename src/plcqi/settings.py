"""Every setting in one table: name, environment variable, default, help.

The table feeds the CLI help, ``docs/settings.md`` and a test that every setting is
documented. Secrets have no default here: they come from the environment only.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "PLCQI_DATA_DIR",
        "data",
        "Folder holding landing/, raw/, quarantine/, ingest_log/, state/, warehouse/ and reports/.",
    ),
    Setting(
        "pii_secret",
        "PLCQI_PII_SECRET",
        None,
        "Key of the HMAC-SHA256 that replaces "
        "participant ids and emails on ingestion. Unset: a fixed, public demo key is used "
        "and announced on every run; never run real data that way.",
        secret=True,
    ),
    Setting(
        "tracker_dsn",
        "PLCQI_TRACKER_DSN",
        None,
        "libpq connection string of the TA "
        "tracker's Postgres (or a replica) for the ta_requests_db source.",
        secret=True,
    ),
    Setting(
        "tracker_table",
        "PLCQI_TRACKER_TABLE",
        "tracker.ta_requests",
        "Table or view holding the tracker's TA request change rows.",
    ),
    Setting(
        "pg_host",
        "PLCQI_PG_HOST",
        "127.0.0.1",
        "Host of the shared Postgres warehouse (dbt's postgres target).",
    ),
    Setting("pg_port", "PLCQI_PG_PORT", "5432", "Port of the shared Postgres warehouse."),
    Setting("pg_user", "PLCQI_PG_USER", "postgres", "User of the shared Postgres warehouse."),
    Setting(
        "pg_password",
        "PLCQI_PG_PASSWORD",
        None,
        "Password of the shared Postgres warehouse (empty for trust authentication).",
        secret=True,
    ),
    Setting("pg_dbname", "PLCQI_PG_DBNAME", "plcqi", "Database of the shared Postgres warehouse."),
    Setting(
        "min_attended_minutes",
        "PLCQI_MIN_ATTENDED_MINUTES",
        "15",
        "A participant attended a session with at least min(this, duration/2) merged minutes.",
    ),
    Setting(
        "followup_window_days",
        "PLCQI_FOLLOWUP_WINDOW_DAYS",
        "182",
        "Length of the follow-up TA window after a cohort ends.",
    ),
    Setting(
        "min_cell_size",
        "PLCQI_MIN_CELL_SIZE",
        "3",
        "Rates with a smaller denominator are stored but shown as suppressed in reports.",
    ),
    # -- serving and delivering the reports (plcqi serve, plcqi deliver, docs/access.md) --
    Setting(
        "reports_url",
        "PLCQI_REPORTS_URL",
        None,
        "Address where readers open the reports (the TLS proxy in front of `plcqi serve` or "
        "the compose reports service), e.g. https://reports.example.org; the e-mailed links "
        "start with it.",
    ),
    Setting("smtp_host", "PLCQI_SMTP_HOST", None,
            "SMTP server that `plcqi deliver` sends the report e-mails through."),
    Setting("smtp_port", "PLCQI_SMTP_PORT", "587", "Its port."),
    Setting(
        "smtp_tls",
        "PLCQI_SMTP_TLS",
        "starttls",
        "starttls (upgrade the connection, port 587), ssl (TLS from the start, port 465) or "
        "none (a relay on this host or a trusted network only).",
    ),
    Setting("smtp_user", "PLCQI_SMTP_USER", None,
            "SMTP user name; unset: no login."),
    Setting("smtp_password", "PLCQI_SMTP_PASSWORD", None, "SMTP password.", secret=True),
    Setting("smtp_from", "PLCQI_SMTP_FROM", None,
            "Sender address of the report e-mails, e.g. cqi-reports@example.org."),
    Setting(
        "delivery_attach",
        "PLCQI_DELIVERY_ATTACH",
        "false",
        "true: each report e-mail also carries the reader's self-contained HTML report.",
    ),
    Setting("nginx", "PLCQI_NGINX", "nginx",
            "The nginx program `plcqi serve` runs (Debian's, from scripts/setup)."),
)

# Public on purpose: lets the demo run with no setup. Announced whenever it is used.
DEMO_KEY = "plcqi-demo-key-not-for-real-data"


def setting(name: str) -> Setting:
    return next(s for s in SETTINGS if s.name == name)


def get(name: str) -> str | None:
    """The value of a setting: the environment, else its default.

    >>> get("tracker_table")
    'tracker.ta_requests'
    """
    s = setting(name)
    value = os.environ.get(s.env)
    return value if value not in (None, "") else s.default


def data_dir(value: str | Path | None = None) -> Path:
    return Path(value if value is not None else get("data_dir")).resolve()


_announced = False


def pii_key() -> bytes:
    """The pseudonymization key; the demo key (announced once on stderr) when none is set."""
    global _announced
    value = get("pii_secret")
    if value:
        return value.encode("utf-8")
    if not _announced:
        print(
            "plcqi: PLCQI_PII_SECRET is not set; pseudonymizing with the public demo key. "
            "Set it before ingesting real data.",
            file=sys.stderr,
        )
        _announced = True
    return DEMO_KEY.encode("utf-8")
