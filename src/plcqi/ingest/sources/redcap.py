"""REDCap survey exports (SOURCES.md "Surveys"): the records CSV, raw values or labels.

Columns are variable names: ``record_id``, REDCap's own ``redcap_*`` columns, and per
instrument ``<instrument>_timestamp`` (when survey fields are exported), its fields (a
checkbox as ``<field>___<code>``) and ``<instrument>_complete``. Items are found by variable
name (``survey_items``); ``record_id`` is the response and the survey instrument's timestamp its
time (the REDCap server's local time: a TIMEZONE file says which). ``[not completed]`` there
marks a response left unfinished: skipped, as SOURCES.md says; so is a row that answers no
item (a longitudinal export's row of another event). The respondent is a ``participant_id``
field, else a field named ``email``.

Values may be raw or labels (``Yes``, ``Checked``); a coded item's raw value is accepted only
when it is the contract's code (a choice defined as ``yes, Yes``), never a number.

REDCap's labels export can also write the field *labels* as column headers (``Record ID``,
``Survey Timestamp``, ``Complete?``, ``Barriers (choice=Time)``). Items are matched by variable
name, so such a file is recognized and rejected with what to export instead.
"""

from __future__ import annotations

import csv
import io
from itertools import islice

from plcqi.ingest.read import FileRejected
from plcqi.ingest.redact import people_in
from plcqi.ingest.sources import survey_items
from plcqi.ingest.sources.base import (
    DATETIME_EXAMPLES,
    Adapted,
    Context,
    Layout,
    Line,
    cell,
    iso,
    norm,
    records,
)

RECORD_ID = "record_id"
NOT_COMPLETED = "[not completed]"
_TIMESTAMP, _COMPLETE = "_timestamp", "_complete"


def _header(text: str) -> list[str]:
    return next(islice(csv.reader(io.StringIO(text, newline="")), 1), [])


def _labels_headers(names: list[str]) -> bool:
    """REDCap's field labels as headers: an instrument's ``Complete?``, or ``Record ID`` with
    ``Survey Timestamp``."""
    return "complete?" in names or {"record id", "survey timestamp"} <= set(names)


def sniff(text: str) -> tuple[int, list[str]]:
    """``record_id`` and an instrument's ``_timestamp`` or ``_complete`` column (or the
    field-label headings of a labels export, which ``adapt`` rejects with advice)."""
    names = [norm(h) for h in _header(text)]
    if _labels_headers(names):
        return 2, []
    checks = {
        "a record_id column": RECORD_ID in names,
        "an <instrument>_timestamp or <instrument>_complete column": any(
            n.endswith((_TIMESTAMP, _COMPLETE)) and not n.startswith("redcap_") for n in names
        ),
    }
    missing = [name for name, ok in checks.items() if not ok]
    return len(checks) - len(missing), missing


def survey_timestamp(names: list[str], items: survey_items.Items, rel: str) -> int:
    """The position of the survey instrument's ``_timestamp``: the only one, else the one
    whose instrument (up to its ``_complete`` column) holds the most items."""
    stamps = [
        i for i, n in enumerate(names) if n.endswith(_TIMESTAMP) and not n.startswith("redcap_")
    ]
    if not stamps:
        raise FileRejected(
            f"{rel}: no <instrument>_timestamp column, so the responses have no time: export "
            "the records with the survey fields included (survey identifier and timestamps)"
        )
    if len(stamps) == 1:
        return stamps[0]

    def held(i: int) -> int:
        complete = names[i][: -len(_TIMESTAMP)] + _COMPLETE
        end = names.index(complete) if complete in names else len(names)
        return sum(1 for p in items.used if i < p < end)

    return max(stamps, key=lambda i: (held(i), -i))


def _answered(line: Line, items: survey_items.Items) -> bool:
    """Whether the row answers any item (a longitudinal export has rows for other events)."""
    people = {items.columns.get(c) for c in survey_items.IDENTITY}
    return any(cell(line, i).lower() not in ("", "0", "unchecked") for i in items.used - people)


def adapt(text: str, ctx: Context) -> Adapted:
    lines = records(text)
    header = lines[0].cells
    names = [norm(h) for h in header]
    if _labels_headers(names):
        raise FileRejected(
            f"{ctx.rel}: a REDCap export with field labels as column headers (such as "
            "'Complete?'); survey items are matched by variable name, so export the records "
            "with variable names as headers: the raw CSV (with choices coded as in SOURCES.md), "
            "or labels with raw headers (API rawOrLabel=label, rawOrLabelHeaders=raw)"
        )
    if RECORD_ID not in names:
        raise FileRejected(f"{ctx.rel}: a REDCap export needs its record_id column")
    ignored = {i for i, n in enumerate(names) if n.startswith("redcap_") or n.endswith(_COMPLETE)}
    record = names.index(RECORD_ID)
    stamps = {i for i, n in enumerate(names) if n.endswith(_TIMESTAMP)}
    skip = {record} | ignored | stamps
    items = survey_items.match_variables(header, ctx.rel, skip, survey_items.REDCAP_CHECKBOX)
    items.require(
        ("cohort_id", "grantee_id"), "add fields named cohort_id and grantee_id to the project"
    )
    stamp = survey_timestamp(names, items, ctx.rel)
    out = Adapted("redcap")
    used = {record, stamp} | items.used
    out.unmapped = [h.strip() for i, h in enumerate(header) if i not in used]
    out.people = people_in(header, (line.cells for line in lines[1:]))
    for line in lines[1:]:
        if line.blank:
            continue
        when_text = cell(line, stamp)
        if when_text.lower() == NOT_COMPLETED:
            out.skip(line.number, "survey not completed")
            continue
        if not when_text and not _answered(line, items):
            out.skip(line.number, "no survey response in the row")
            continue
        when = ctx.datetime(when_text) if when_text else None
        if when_text and when is None:
            out.reject(
                line.number,
                "submitted_at",
                f"{header[stamp].strip()} {when_text!r} is not a date and time "
                f"({DATETIME_EXAMPLES})",
            )
            continue
        fixed = {
            "response_id": cell(line, record) or None,
            "submitted_at": iso(when) if when else None,
        }
        survey_items.respond(out, line, fixed, items)
    return out


LAYOUTS = (
    Layout(
        "redcap",
        "REDCap records export",
        ("surveys/midpoint", "surveys/six_month"),
        sniff,
        adapt,
    ),
)
