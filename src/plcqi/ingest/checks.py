"""The contract's checks as SQL: for each column, its typed value, the reason a cell breaks a
rule (or null) and the value as it may be shown (personal data only as its key).

The expressions are evaluated over a relation that has ``<col>__s`` (trimmed text, '' as
null), ``<col>`` (typed) and ``<col>__k`` (the keyed hash of personal data).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plcqi.ingest import contract
from plcqi.sql import ident as q
from plcqi.sql import literal as lit

_BOOL_TRUE = ("true", "yes", "1", "y")
_BOOL_FALSE = ("false", "no", "0", "n")
_DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATETIME_RE = (
    _DATE_RE + r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


def typed_sql(c: contract.Column, s: str) -> str:
    """SQL giving the typed value of text ``s`` (already trimmed, '' as null), null if bad."""
    if c.type == contract.INT:
        return f"case when regexp_full_match({s}, '[+-]?[0-9]+') then try_cast({s} as bigint) end"
    if c.type == contract.NUMBER:
        return f"try_cast({s} as double)"
    if c.type == contract.BOOL:
        t, f = (", ".join(lit(v) for v in vs) for vs in (_BOOL_TRUE, _BOOL_FALSE))
        return f"case when lower({s}) in ({t}) then true when lower({s}) in ({f}) then false end"
    if c.type == contract.DATE:
        return f"case when regexp_full_match({s}, {lit(_DATE_RE)}) then try_cast({s} as date) end"
    if c.type == contract.DATETIME:
        return (
            f"case when regexp_full_match({s}, {lit(_DATETIME_RE)}) "
            f"then try_cast({s} as timestamptz)::timestamp end"
        )
    if c.type == contract.ENUM:
        whens = " ".join(f"when {lit(v.lower())} then {lit(v)}" for v in c.values)
        return f"case lower({s}) {whens} end"
    if c.type == contract.ENUM_LIST:
        allowed = ", ".join(lit(v) for v in c.values)
        parts = f"list_filter(string_split({s}, ';'), lambda x: trim(x) <> '')"
        items = f"list_transform({parts}, lambda x: lower(trim(x)))"
        return (
            f"case when len(list_filter({items}, lambda x: x not in ({allowed}))) = 0 "
            f"then array_to_string({items}, ';') end"
        )
    return s


def _expected(c: contract.Column) -> str:
    if c.type == contract.INT:
        return "is not a whole number"
    if c.type == contract.NUMBER:
        return "is not a number"
    if c.type == contract.BOOL:
        return "is not a boolean (expected true/false/yes/no/1/0/y/n)"
    if c.type == contract.DATE:
        return "is not a date (expected YYYY-MM-DD)"
    if c.type == contract.DATETIME:
        return "is not an ISO 8601 datetime (expected e.g. 2017-11-14T14:00:00)"
    values = ", ".join(c.values) if len(c.values) <= 10 else "see the input contract"
    return f"is not an allowed value (expected one of: {values})"


def value_sql(c: contract.Column, s: str) -> str:
    """The cell as it may be shown: personal data only as its key. (Free text, PII_REDACT, is
    redacted as the file is read: ``plcqi.ingest.redact.free_text``.)"""
    if c.pii == contract.PII_DROP:
        return "null"
    if c.pii in (contract.PII_KEY, contract.PII_EMAIL):
        return q(c.name + "__k")  # computed once per row in the typed CTE
    return s


def key_sql(c: contract.Column) -> str | None:
    """SQL of a personal-data column's keyed hash (over its trimmed text), or None."""
    s = q(c.name + "__s")
    if c.pii == contract.PII_KEY:
        return f"plcqi_hmac({s})"
    if c.pii == contract.PII_EMAIL:
        return f"plcqi_hmac(lower({s}))"
    return None


def valid_id_sql(s: str) -> str:
    """SQL that is TRUE when the text ``s`` is a valid id (``contract.ID_PATTERN``)."""
    return f"regexp_full_match({s}, {lit(contract.ID_PATTERN)})"


def _quoted(s: str) -> str:
    """SQL of the cell ``s`` in quotes, as reasons show a value."""
    return f"'''' || {s} || ''''"


def _date_rule(c: contract.Column, ingested_at: datetime) -> str:
    """SQL of the reason a date or datetime is implausible (INPUTS.md): outside
    ``EARLIEST_DATE``..``LATEST_DATE``, or an event time more than a day after ingestion."""
    s, t = q(c.name + "__s"), q(c.name)
    earliest, latest = contract.EARLIEST_DATE, contract.LATEST_DATE
    kind = "DATE" if c.type == contract.DATE else "TIMESTAMP"
    outside = f"{t} < {kind} {lit(earliest)} or {t}::date > DATE {lit(latest)}"
    text = f" is implausible: a date before {earliest} or after {latest}"
    whens = f"when {outside} then {_quoted(s)} || {lit(text)}"
    if c.name in contract.EVENT_TIMES and c.type == contract.DATETIME:
        slack = timedelta(hours=contract.EVENT_TIME_SLACK_HOURS)
        limit = (ingested_at.astimezone(UTC).replace(tzinfo=None) + slack).replace(microsecond=0)
        text = (
            " is implausible: more than one day after the ingestion time "
            f"({ingested_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        )
        after = f"{t} > TIMESTAMP {lit(limit.isoformat(sep=' '))}"
        whens += f" when {after} then {_quoted(s)} || {lit(text)}"
    return f"case {whens} end"


def rules(
    ds: contract.Dataset,
    present: set[str],
    ref_tables: dict[tuple, str],
    ingested_at: datetime,
) -> list[tuple[str, str, str]]:
    """(column, SQL reason or null, SQL value) for every rule of the contract.

    Evaluated over ``typed``, which has ``<col>`` typed and ``<col>__s`` as trimmed text;
    ``ingested_at`` is the ingestion time event times are checked against.
    """
    rules = []
    has_participant = "participant_id" in {c.name for c in ds.columns}
    for c in ds.columns:
        s, t, v = q(c.name + "__s"), q(c.name), value_sql(c, q(c.name + "__s"))
        if c.required:
            rules.append((c.name, f"case when {s} is null then 'required value is empty' end", v))
        if c.name not in present:
            continue
        if c.type == contract.ID:
            shown = lit("the value") if c.pii else _quoted(s)  # personal data is not repeated
            text = f" is not a valid id (an id is {contract.ID_RULE})"
            bad = f"{s} is not null and not {valid_id_sql(s)}"
            reason = f"case when {bad} then {shown} || {lit(text)} end"
            rules.append((c.name, reason, v))
        if c.type not in (contract.ID, contract.TEXT):
            reason = (
                f"case when {s} is not null and {t} is null "
                f"then '''' || {s} || ''' ' || {lit(_expected(c))} end"
            )
            if c.pii:
                reason = f"case when {s} is not null and {t} is null then {lit(_expected(c))} end"
            rules.append((c.name, reason, v))
        if c.type in (contract.DATE, contract.DATETIME):
            rules.append((c.name, _date_rule(c, ingested_at), v))
        if c.minimum is not None or c.maximum is not None:
            outside = " or ".join(
                cond
                for cond, bound in (
                    (f"{t} < {c.minimum}", c.minimum),
                    (f"{t} > {c.maximum}", c.maximum),
                )
                if bound is not None
            )
            if c.maximum is None:
                allowed = f"at least {c.minimum:g}"
            else:
                allowed = f"{c.minimum:g} to {c.maximum:g}"
            reason = f"{t}::varchar || {lit(' is outside the allowed range ' + allowed)}"
            rules.append((c.name, f"case when {outside} then {reason} end", v))
        if c.references:
            ref_ds, ref_col = c.references
            table = ref_tables[c.references]
            probe = q(c.name + "__k") if c.pii in (contract.PII_KEY, contract.PII_EMAIL) else t
            when = f"{t} is not null and {probe} not in (select k from {table})"
            if c.type == contract.ID:  # a malformed id has its own reason
                when = f"{valid_id_sql(s)} and {when}"
            if c.pii == contract.PII_EMAIL and has_participant:
                when = f"participant_id__s is null and {when}"  # the id, when given, decides
            if c.pii == contract.PII_EMAIL:
                text = f"unknown {c.name}: no participant in {ref_ds} has this email"
                reason = f"case when {when} then {lit(text)} end"
            elif c.pii:  # personal data: the reason must not repeat it (value holds its key)
                reason = f"case when {when} then {lit(f'unknown {c.name}: not in {ref_ds}')} end"
            else:
                reason = (
                    f"case when {when} then {lit(f'unknown {c.name} ')} || '''' || {t} || ''' ' "
                    f"|| {lit(f'(not in {ref_ds})')} end"
                )
            rules.append((c.name, reason, v))
    for condition, column, text in ds.row_checks:
        c = ds.column(column)
        rules.append(
            (
                column,
                f"case when coalesce(({condition}), false) then {lit(text)} end",
                value_sql(c, q(column + "__s")),
            )
        )
    return rules
