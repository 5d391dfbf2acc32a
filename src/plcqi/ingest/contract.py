"""The input contract (shared/contract/INPUTS.md) as data.

Every other part reads this table: extraction checks files against it, the generator writes
files in its shape, the dbt sources mirror the raw zone it defines, and the docs list it.
Changing it is a versioned change of the public contract (see ``CONTRACT_VERSION``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTRACT_VERSION = "1.1"

# Ids (``*_id`` columns of type ID): 1-64 of A-Z a-z 0-9 . _ -, not starting with '.'.
ID_PATTERN = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}"
ID_RULE = "1-64 characters of A-Z a-z 0-9 . _ -, not starting with '.'"
# Any date or datetime outside these is implausible (quarantined).
EARLIEST_DATE = "2000-01-01"
LATEST_DATE = "2099-12-31"
# Event times may lie at most this long after the ingestion time (clocks differ; a meeting
# exported while it runs). Scheduled sessions and planned end dates are not event times.
EVENT_TIMES = ("join_time", "leave_time", "submitted_at", "updated_at")
EVENT_TIME_SLACK_HOURS = 24
# The longest cell a file may hold: Excel's own limit per cell, so no export of a spreadsheet
# exceeds it; a longer one is a broken file (a quote left open, a pasted document). The row
# is quarantined and the rest of the file loads.
MAX_CELL_CHARS = 32_767

# Column types. Every CSV cell arrives as text; extraction casts it to one of these.
ID = "id"  # text, trimmed, must be non-empty when required
TEXT = "text"
INT = "int"
NUMBER = "number"
BOOL = "bool"  # true/false/yes/no/1/0/y/n in any case
DATE = "date"  # YYYY-MM-DD
DATETIME = "datetime"  # ISO 8601, no offset = UTC; stored as UTC
ENUM = "enum"  # one of Column.values, matched case-insensitively, stored as spelled here
ENUM_LIST = "enum_list"  # ;-separated values of Column.values

# Personal data: replaced by a keyed hash on ingestion (see plcqi.ingest.pseudonymize).
PII_KEY = "pii_key"  # participant_id -> participant_key
PII_EMAIL = "pii_email"  # email -> email_key (of the lower-cased, trimmed address)
PII_DROP = "pii_drop"  # full_name: dropped
# free text: e-mail addresses, phone numbers and known participants' names removed
PII_REDACT = "pii_redact"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    # (dataset, column) this column must exist in; checked against the latest reference.
    references: tuple[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pii: str | None = None
    # Only a native export's adapter fills it (SOURCES.md); in a contract CSV it is an extra
    # column. Used to find the participant, then not stored.
    native_only: bool = False


@dataclass(frozen=True)
class Dataset:
    """One kind of input file: where it lands, its columns, and its key."""

    name: str  # raw zone folder under raw/, e.g. "reference/centers", "attendance"
    source: str  # the --source it belongs to
    landing: str  # glob under landing/ (event folders: every file below, see landing_files)
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # a duplicate key with other content is quarantined
    # Row-level checks across columns: (sql condition that is TRUE for a bad row, column, reason).
    row_checks: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


LIKERT = {"minimum": 1, "maximum": 5}
YES_NO = ("yes", "no")

METRIC_KEYS = (
    "need_requests_12m",
    "need_matched_participation_rate",
    "has_theory_of_change",
    "invited_grantees",
    "registration_rate",
    "intake_completion_rate",
    "lead_agency_team_rate",
    "prelaunch_activity",
    "sessions_delivered_rate",
    "attendance_rate",
    "full_attendance_rate",
    "retention_rate",
    "max_gap_days",
    "poll_favorable_rate",
    "knowledge_gain_rate_midpoint",
    "knowledge_gain_rate_six_month",
    "dissemination_rate",
    "action_plan_rate",
    "continue_implementing_rate",
    "practice_or_policy_change_rate",
    "systems_change_rate",
    "midpoint_response_rate",
    "six_month_response_rate",
    "followup_uptake_rate",
    "followup_baseline_rate",
    "followup_lift",
    "median_days_to_followup",
)

# The respondent's e-mail in a native poll or survey export (SOURCES.md "People"): matched to
# participants.csv at ingestion, then only the participant's key is kept.
NATIVE_EMAIL = Column(
    "email", TEXT, pii=PII_EMAIL, references=("reference/participants", "email"), native_only=True
)

_SURVEY_COLUMNS = (
    Column("response_id", ID, required=True),
    Column("cohort_id", ID, required=True, references=("reference/cohorts", "cohort_id")),
    Column("grantee_id", ID, required=True, references=("reference/grantees", "grantee_id")),
    Column(
        "participant_id", ID, pii=PII_KEY, references=("reference/participants", "participant_id")
    ),
    NATIVE_EMAIL,
    Column("submitted_at", DATETIME, required=True),
    Column("knowledge_gain", INT, **LIKERT),
    Column("relevance", INT, **LIKERT),
    Column("within_state_connections", INT, **LIKERT),
    Column("across_state_connections", INT, **LIKERT),
    Column("disseminated", ENUM, values=YES_NO),
    Column("action_plan_status", ENUM, values=("none", "drafting", "complete", "implementing")),
    Column("continue_implementing", ENUM, values=("yes", "no", "unsure")),
    Column("practice_change", ENUM, values=YES_NO),
    Column("policy_change", ENUM, values=YES_NO),
    Column("systems_change", ENUM, values=YES_NO),
    Column("followup_interest", ENUM, values=YES_NO),
    Column(
        "barriers",
        ENUM_LIST,
        values=(
            "time",
            "turnover",
            "lead_agency_buyin",
            "legislative",
            "cost",
            "conflicting_policy",
            "readiness",
            "other",
        ),
    ),
    Column("comments", TEXT, pii=PII_REDACT),
)

DATASETS: tuple[Dataset, ...] = (
    # Reference data, in load order: a file's keys are checked against the ones before it.
    Dataset(
        "reference/centers",
        "reference",
        "reference/centers.csv",
        (
            Column("center_id", ID, required=True),
            Column("center_name", TEXT, required=True),
            Column("funding_office", ENUM, values=("OCC", "OHS", "OCC-OHS", "OHS-OCC")),
        ),
        key=("center_id",),
    ),
    Dataset(
        "reference/grantees",
        "reference",
        "reference/grantees.csv",
        (
            Column("grantee_id", ID, required=True),
            Column("grantee_name", TEXT, required=True),
            Column(
                "grantee_type",
                ENUM,
                required=True,
                values=("state", "territory", "district", "tribe"),
            ),
            Column("acf_region", INT, minimum=1, maximum=10),
        ),
        key=("grantee_id",),
    ),
    Dataset(
        "reference/opportunities",
        "reference",
        "reference/opportunities.csv",
        (
            Column("opportunity_id", ID, required=True),
            Column("title", TEXT, required=True),
            Column("center_id", ID, required=True, references=("reference/centers", "center_id")),
            Column("partner_center_ids", TEXT),
            Column(
                "format",
                ENUM,
                required=True,
                values=("PLG", "PLC", "PLF", "CoL", "CoP", "OpenSpace", "Other"),
            ),
            Column("topic", TEXT, required=True),
            Column(
                "intended_outcome",
                ENUM,
                required=True,
                values=("knowledge", "policy_implementation", "systems"),
            ),
            Column(
                "ta_type", ENUM, values=("universal", "targeted", "tailored", "targeted_tailored")
            ),
            Column("participation_mode", ENUM, values=("individual", "team")),
            Column("attendance_expectation", ENUM, values=("all_sessions", "optional")),
            Column("planned_sessions", INT, minimum=0),
            Column("start_date", DATE, required=True),
            Column("end_date", DATE),
            Column(
                "followup_offered",
                ENUM,
                values=("none", "after_session", "after_opportunity", "both", "unknown"),
            ),
        ),
        key=("opportunity_id",),
        row_checks=(("end_date < start_date", "end_date", "end_date is before start_date"),),
    ),
    Dataset(
        "reference/cohorts",
        "reference",
        "reference/cohorts.csv",
        (
            Column("cohort_id", ID, required=True),
            Column(
                "opportunity_id",
                ID,
                required=True,
                references=("reference/opportunities", "opportunity_id"),
            ),
            Column("cohort_number", INT, minimum=1),
            Column("label", TEXT),
        ),
        key=("cohort_id",),
    ),
    Dataset(
        "reference/sessions",
        "reference",
        "reference/sessions.csv",
        (
            Column("session_id", ID, required=True),
            Column("cohort_id", ID, required=True, references=("reference/cohorts", "cohort_id")),
            Column("session_number", INT, minimum=0),
            Column(
                "session_type",
                ENUM,
                required=True,
                values=(
                    "kickoff",
                    "webinar",
                    "in_person",
                    "team_lead_call",
                    "office_hours",
                    "reunion",
                ),
            ),
            Column("title", TEXT),
            Column("scheduled_start", DATETIME, required=True),
            Column("duration_minutes", INT, required=True, minimum=1),
            Column("status", ENUM, required=True, values=("scheduled", "delivered", "cancelled")),
            # The Zoom meeting or webinar ID (digits; spaces and dashes ignored): SOURCES.md.
            Column("platform_meeting_id", TEXT),
        ),
        key=("session_id",),
    ),
    Dataset(
        "reference/participants",
        "reference",
        "reference/participants.csv",
        (
            Column("participant_id", ID, required=True, pii=PII_KEY),
            Column(
                "grantee_id", ID, required=True, references=("reference/grantees", "grantee_id")
            ),
            Column("full_name", TEXT, pii=PII_DROP),
            Column("email", TEXT, pii=PII_EMAIL),
            Column("organization", TEXT),
            Column("role_title", TEXT),
            Column("is_lead_agency", BOOL),
            Column("is_contractor", BOOL),
        ),
        key=("participant_id",),
    ),
    Dataset(
        "reference/team_members",
        "reference",
        "reference/team_members.csv",
        (
            Column("cohort_id", ID, required=True, references=("reference/cohorts", "cohort_id")),
            Column(
                "participant_id",
                ID,
                required=True,
                pii=PII_KEY,
                references=("reference/participants", "participant_id"),
            ),
            Column("role_on_team", ENUM, values=("lead", "member")),
        ),
        key=("cohort_id", "participant_id"),
    ),
    Dataset(
        "reference/enrollments",
        "reference",
        "reference/enrollments.csv",
        (
            Column("cohort_id", ID, required=True, references=("reference/cohorts", "cohort_id")),
            Column(
                "grantee_id", ID, required=True, references=("reference/grantees", "grantee_id")
            ),
            Column("invited_on", DATE),
            Column("registered_on", DATE),
            Column("intake_completed", BOOL),
        ),
        key=("cohort_id", "grantee_id"),
    ),
    Dataset(
        "reference/toc_targets",
        "reference",
        "reference/toc_targets.csv",
        (
            Column(
                "opportunity_id",
                ID,
                required=True,
                references=("reference/opportunities", "opportunity_id"),
            ),
            Column("metric", ENUM, required=True, values=METRIC_KEYS),
            Column("comparator", ENUM, required=True, values=(">=", "<=")),
            Column("target_value", NUMBER, required=True),
        ),
        key=("opportunity_id", "metric"),
    ),
    # Event data.
    Dataset(
        "ta_requests",
        "ta_requests",
        "ta_requests/**/*",
        (
            Column("request_id", ID, required=True),
            Column(
                "grantee_id", ID, required=True, references=("reference/grantees", "grantee_id")
            ),
            Column("submitted_at", DATETIME, required=True),
            Column("topic", TEXT, required=True),
            Column(
                "request_type",
                ENUM,
                required=True,
                values=(
                    "brief_tailored",
                    "intensive_tailored",
                    "p2p",
                    "one_on_one",
                    "universal",
                    "targeted",
                ),
            ),
            Column("center_id", ID, references=("reference/centers", "center_id")),
            Column(
                "source_opportunity_id",
                ID,
                references=("reference/opportunities", "opportunity_id"),
            ),
            Column(
                "plan_status",
                ENUM,
                required=True,
                values=("initial", "intermediate", "final", "closed", "withdrawn"),
            ),
            Column("updated_at", DATETIME, required=True),
        ),
        key=("request_id", "updated_at"),
        row_checks=(
            ("updated_at < submitted_at", "updated_at", "updated_at is before submitted_at"),
        ),
    ),
    Dataset(
        "attendance",
        "attendance",
        "attendance/**/*",
        (
            Column(
                "session_id", ID, required=True, references=("reference/sessions", "session_id")
            ),
            Column(
                "participant_id",
                ID,
                pii=PII_KEY,
                references=("reference/participants", "participant_id"),
            ),
            Column("email", TEXT, pii=PII_EMAIL, references=("reference/participants", "email")),
            Column("join_time", DATETIME, required=True),
            Column("leave_time", DATETIME, required=True),
        ),
        row_checks=(
            ("leave_time < join_time", "leave_time", "leave_time is before join_time"),
            (
                "participant_id is null and email is null",
                "participant_id",
                "neither participant_id nor email identifies the person",
            ),
            (
                "epoch(leave_time) - epoch(join_time) > 24 * 3600",
                "leave_time",
                "implausible: the attendance interval from join_time to leave_time is longer "
                "than 24 hours",
            ),
        ),
    ),
    Dataset(
        "polls",
        "polls",
        "polls/**/*",
        (
            Column(
                "session_id", ID, required=True, references=("reference/sessions", "session_id")
            ),
            Column("poll_id", ID, required=True),
            Column("question_id", ID, required=True),
            Column("question_text", TEXT),
            Column("scale", ENUM, required=True, values=("likert5", "yes_no", "choice", "text")),
            Column(
                "participant_id",
                ID,
                pii=PII_KEY,
                references=("reference/participants", "participant_id"),
            ),
            NATIVE_EMAIL,
            Column("response_value", TEXT),
            Column("response_text", TEXT, pii=PII_REDACT),
            Column("submitted_at", DATETIME),
        ),
        row_checks=(
            (
                "scale = 'likert5' and response_value is not null"
                " and not regexp_full_match(response_value, '[1-5]')",
                "response_value",
                "a likert5 response must be an integer 1-5",
            ),
        ),
    ),
    Dataset(
        "surveys/midpoint",
        "surveys",
        "surveys/midpoint/**/*",
        _SURVEY_COLUMNS,
        key=("response_id",),
    ),
    Dataset(
        "surveys/six_month",
        "surveys",
        "surveys/six_month/**/*",
        _SURVEY_COLUMNS,
        key=("response_id",),
    ),
)

SOURCES: tuple[str, ...] = ("reference", "ta_requests", "attendance", "polls", "surveys")
# The tracker database is a source of its own: the same ta_requests rows, pulled by watermark.
DB_SOURCE = "ta_requests_db"


def dataset(name: str) -> Dataset:
    """The dataset called ``name``.

    >>> dataset("attendance").required
    ['session_id', 'join_time', 'leave_time']
    """
    for d in DATASETS:
        if d.name == name:
            return d
    raise KeyError(name)


def contract_columns(ds: Dataset) -> list[Column]:
    """The columns a contract CSV may carry (not the ones only a native adapter fills)."""
    return [c for c in ds.columns if not c.native_only]


def datasets_of(source: str) -> list[Dataset]:
    return [d for d in DATASETS if d.source == source]
