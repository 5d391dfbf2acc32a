"""Every setting in one table: name, environment variable, default, help.

The table is the only place that reads the environment (a test fails on any other
``os.environ`` read in ``src/`` or ``dags/``). It feeds the CLI's help (``plcqi settings``
and the options that name a variable), the README's settings table (``python -m
plcqi.settings`` prints it; a test keeps the two equal) and the DAGs' configuration. Secrets
have no default: they come from the environment only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

PIPELINE = "pipeline"
AIRFLOW = "airflow"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str
    secret: bool = False
    group: str = PIPELINE


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "PLCQI_DATA_DIR",
        "data",
        "Folder holding `landing/`, `raw/`, `quarantine/`, `ingest_log/`, `state/`, "
        "`warehouse/` and `reports/`. The DAGs resolve the default against the checkout, "
        "the command against the current folder.",
    ),
    Setting(
        "pii_secret",
        "PLCQI_PII_SECRET",
        None,
        "Key of the HMAC-SHA256 that replaces participant ids and e-mails: at least 32 bytes, "
        "and the same for the life of a data folder (the raw zone keeps its fingerprint and "
        "refuses another key). Unset: the public demo key, accepted only for the data "
        "`plcqi generate` writes.",
        secret=True,
    ),
    Setting(
        "tracker_dsn",
        "PLCQI_TRACKER_DSN",
        None,
        "Connection string of the TA tracker's Postgres (or a replica) for the "
        "`ta_requests_db` source.",
        secret=True,
    ),
    Setting(
        "tracker_table",
        "PLCQI_TRACKER_TABLE",
        "tracker.ta_requests",
        "Table or view with the tracker's change rows.",
    ),
    Setting(
        "tracker_lookback_minutes",
        "PLCQI_TRACKER_LOOKBACK_MINUTES",
        "15",
        "Each tracker database pull reads again this many minutes before its watermark, so a "
        "change committed late with an older `updated_at` is still pulled (once).",
    ),
    Setting(
        "source_timezone",
        "PLCQI_SOURCE_TIMEZONE",
        "America/New_York",
        "IANA time zone of native exports' local times where neither the export nor a "
        "`TIMEZONE` file beside it names one (docs/sources.md).",
    ),
    Setting(
        "lock_timeout",
        "PLCQI_LOCK_TIMEOUT",
        "600",
        "Seconds an ingestion or transform waits for another process writing the same dataset "
        "or warehouse before it gives up with a message.",
    ),
    Setting("pg_host", "PLCQI_PG_HOST", "127.0.0.1", "Host of the shared Postgres warehouse."),
    Setting("pg_port", "PLCQI_PG_PORT", "5432", "Its port."),
    Setting("pg_user", "PLCQI_PG_USER", "postgres", "Its user."),
    Setting(
        "pg_password",
        "PLCQI_PG_PASSWORD",
        None,
        "Its password (empty for trust authentication).",
        secret=True,
    ),
    Setting("pg_dbname", "PLCQI_PG_DBNAME", "plcqi", "Its database."),
    Setting(
        "min_attended_minutes",
        "PLCQI_MIN_ATTENDED_MINUTES",
        "15",
        "Attended = at least min(this, duration / 2) merged minutes.",
    ),
    Setting(
        "followup_window_days",
        "PLCQI_FOLLOWUP_WINDOW_DAYS",
        "182",
        "Follow-up window after a cohort ends.",
    ),
    Setting(
        "min_cell_size",
        "PLCQI_MIN_CELL_SIZE",
        "3",
        "Rates with a smaller denominator are suppressed in reports.",
    ),
    Setting(
        "report_charted_cohorts",
        "PLCQI_REPORT_CHARTED_COHORTS",
        "12",
        "A center report draws the per-session charts of at most this many of the cohorts "
        "active in the period (those with the latest sessions); the others are shown as "
        "tables, so a report's size and time do not grow with the number of cohorts.",
    ),
    Setting(
        "plan_intermediate_target_days",
        "PLCQI_PLAN_INTERMEDIATE_TARGET_DAYS",
        "14",
        "A TA plan is late when it reaches `intermediate` more than this many days after "
        "`initial` (or is still `initial` past it): the TA planning calendar's two weeks.",
    ),
    Setting(
        "plan_final_target_days",
        "PLCQI_PLAN_FINAL_TARGET_DAYS",
        "14",
        "A TA plan is late when it reaches `final` more than this many days after "
        "`intermediate` (or is still `intermediate` past it).",
    ),
    Setting(
        "plan_stalled_days",
        "PLCQI_PLAN_STALLED_DAYS",
        "90",
        "An open TA plan (`initial` or `intermediate`) with no change for at least this many "
        "days is stalled.",
    ),
    Setting(
        "dbt_project_dir",
        "PLCQI_DBT_PROJECT_DIR",
        None,
        "The dbt project. Default: the one installed with the package (`dbt_project/` of a "
        "checkout).",
    ),
    Setting(
        "expectations_dir",
        "PLCQI_EXPECTATIONS_DIR",
        None,
        "The Great Expectations suites. Default: the ones installed with the package "
        "(`expectations/` of a checkout).",
    ),
    Setting(
        "dbt_manifest",
        "PLCQI_DBT_MANIFEST",
        None,
        "dbt's `manifest.json` that the transform DAG's `promote` checks a build against; built by "
        "`python -m plcqi.orchestration.setup`. Default: "
        "`DATA_DIR/dbt/target/<target>/manifest.json`.",
        group=AIRFLOW,
    ),
    Setting(
        "warehouse_target",
        "PLCQI_WAREHOUSE_TARGET",
        "duckdb",
        "dbt target the DAGs build: `duckdb` (embedded) or `postgres` (shared).",
        group=AIRFLOW,
    ),
    Setting(
        "duckdb_pool",
        "PLCQI_DUCKDB_POOL",
        "plcqi_duckdb",
        "Airflow pool of one slot that every task opening the DuckDB warehouse runs in.",
        group=AIRFLOW,
    ),
    Setting(
        "duckdb_queue",
        "PLCQI_DUCKDB_QUEUE",
        "plcqi_duckdb",
        "Celery queue of the tasks that open the DuckDB warehouse; one worker, the one "
        "holding the data volume, listens to it.",
        group=AIRFLOW,
    ),
    Setting("airflow_retries", "PLCQI_AIRFLOW_RETRIES", "3", "Retries of every task.",
            group=AIRFLOW),
    Setting(
        "airflow_retry_delay",
        "PLCQI_AIRFLOW_RETRY_DELAY",
        "60",
        "Seconds before the first retry; doubles on each retry up to 30 minutes.",
        group=AIRFLOW,
    ),
    Setting(
        "airflow_start_date",
        "PLCQI_AIRFLOW_START_DATE",
        "2026-01-01",
        "`start_date` of the scheduled DAGs (UTC). A date in the future turns the time "
        "schedules off (runs only when triggered or by Assets).",
        group=AIRFLOW,
    ),
    Setting(
        "alert_email",
        "PLCQI_ALERT_EMAIL",
        None,
        "Comma-separated addresses e-mailed when a task fails (through the Airflow SMTP "
        "connection); unset: failures are only logged.",
        group=AIRFLOW,
    ),
    Setting(
        "smtp_conn_id",
        "PLCQI_SMTP_CONN_ID",
        "smtp_default",
        "Airflow connection used for the e-mails.",
        group=AIRFLOW,
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

# Public on purpose: lets the demo run with no setup. Announced whenever it is used, and
# accepted only for a landing folder ``plcqi generate`` wrote (plcqi.ingest.pseudonymize).
DEMO_KEY = "plcqi-demo-key-not-for-real-data"
MIN_KEY_BYTES = 32
PLACEHOLDER_PREFIX = "change-me"  # .env.example's placeholders


class KeyRefused(RuntimeError):
    """The pseudonymization key cannot be used: a placeholder, too short, or not the key
    the raw zone was built with. The message says why, in one sentence."""


def setting(name: str) -> Setting:
    """The row of ``name``; a KeyError naming it when there is none."""
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(f"no setting {name!r}")


def get(name: str) -> str | None:
    """The value of a setting: the environment, else its default.

    >>> get("tracker_table")
    'tracker.ta_requests'
    """
    s = setting(name)
    value = os.environ.get(s.env)
    return value if value not in (None, "") else s.default


def is_set(name: str) -> bool:
    """Whether the environment sets ``name`` (to something not empty)."""
    return os.environ.get(setting(name).env) not in (None, "")


def env_help(name: str) -> str:
    """The ``[env …; default …]`` tail of a CLI option's help.

    >>> env_help("data_dir")
    '[env PLCQI_DATA_DIR; default data]'
    """
    s = setting(name)
    default = "" if s.default is None or s.secret else f"; default {s.default}"
    return f"[env {s.env}{default}]"


def child_environment(unset: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """The environment for a child process: this one's, without the settings named in
    ``unset``, with ``extra`` added.

    >>> env = child_environment(unset=("data_dir",), DO_NOT_TRACK="1")
    >>> "PLCQI_DATA_DIR" in env, env["DO_NOT_TRACK"]
    (False, '1')
    """
    env = dict(os.environ)
    for name in unset:
        env.pop(setting(name).env, None)
    env.update(extra)
    return env


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block (dbt reads ``env_var()``)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_announced = False


def pii_key() -> bytes:
    """The pseudonymization key; the demo key (announced once on stderr) when none is set.

    Raises :class:`KeyRefused` for a placeholder (``change-me…``) or a key shorter than
    ``MIN_KEY_BYTES`` bytes."""
    global _announced
    value = get("pii_secret")
    if value:
        key = value.encode("utf-8")
        how = 'e.g. the output of python -c "import secrets; print(secrets.token_urlsafe(32))"'
        if value.startswith(PLACEHOLDER_PREFIX):
            raise KeyRefused(
                f"PLCQI_PII_SECRET is still a placeholder ({PLACEHOLDER_PREFIX}…): set it to a "
                f"secret of at least {MIN_KEY_BYTES} bytes, {how}"
            )
        if len(key) < MIN_KEY_BYTES:
            raise KeyRefused(
                f"PLCQI_PII_SECRET is {len(key)} bytes long; a pseudonymization key must be at "
                f"least {MIN_KEY_BYTES} bytes, {how}"
            )
        return key
    if not _announced:
        print(
            "plcqi: PLCQI_PII_SECRET is not set; pseudonymizing with the public demo key. "
            "Set it before ingesting real data.",
            file=sys.stderr,
        )
        _announced = True
    return DEMO_KEY.encode("utf-8")


def markdown_table() -> str:
    """The README's settings table, generated from ``SETTINGS``."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default is None else f"`{s.default}`"
        lines.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
