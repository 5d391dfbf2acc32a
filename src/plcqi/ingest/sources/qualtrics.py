"""Qualtrics survey exports (SOURCES.md "Surveys"): the CSV "Download Data Table" writes.

Three header rows: export tags (``StartDate``, ``ResponseId``, the question tags, embedded
data names), question texts, and JSON import ids such as
``{"ImportId":"recordedDate","timeZone":"America/Denver"}``; responses start on the fourth
physical line (later when a question text spans lines). Items are found by export tag
(``survey_items``); ``ResponseId`` is the response, ``RecordedDate`` its time, in the zone the
third row states. The respondent is the embedded ``participant_id``, else ``RecipientEmail``
(else an embedded ``email``). Previews, tests and spam are not responses; unfinished
responses are. Names, IP addresses and locations are never read.
"""

from __future__ import annotations

import csv
import io
import json
from itertools import islice

from plcqi.ingest.read import FileRejected
from plcqi.ingest.redact import people_in
from plcqi.ingest.sources import survey_items
from plcqi.ingest.sources.base import (
    DATETIME_EXAMPLES,
    Adapted,
    Context,
    Layout,
    by_heading,
    cell,
    iso,
    norm,
    records,
)

RESPONSE_ID, RECORDED, EMAIL, STATUS = "responseid", "recordeddate", "recipientemail", "status"
_IMPORT_ID = '{"importid"'

# Status (Qualtrics' "Response Type") of rows that are not responses: numeric codes as the
# numeric export writes them, else the label's words.
_STATUS_CODES = {
    "1": "survey preview",
    "2": "survey test",
    "8": "spam",
    "9": "survey preview",  # preview spam
    "12": "spam",
    "17": "survey preview",  # offline preview
}
_STATUS_WORDS = (("preview", "survey preview"), ("test", "survey test"), ("spam", "spam"))


def _head(text: str, n: int = 3) -> list[list[str]]:
    return list(islice(csv.reader(io.StringIO(text, newline="")), n))


def sniff(text: str) -> tuple[int, list[str]]:
    """Export tags ResponseId and RecordedDate in the first row, import ids in the third."""
    head = _head(text)
    tags = {norm(c) for c in head[0]} if head else set()
    ids = head[2] if len(head) > 2 else []
    checks = {
        "a ResponseId export tag": RESPONSE_ID in tags,
        "a RecordedDate export tag": RECORDED in tags,
        'a third header row of import ids ({"ImportId": ...})': any(
            c.strip().lower().startswith(_IMPORT_ID) for c in ids
        ),
    }
    missing = [name for name, ok in checks.items() if not ok]
    return len(checks) - len(missing), missing


def skip_reason(status: str) -> str | None:
    """Why a row with this Status is not a response (None: it is one).

    >>> skip_reason("Survey Preview"), skip_reason("8"), skip_reason("IP Address")
    ('survey preview', 'spam', None)
    """
    s = status.strip().lower()
    if s in _STATUS_CODES:
        return _STATUS_CODES[s]
    return next((reason for word, reason in _STATUS_WORDS if word in s), None)


def export_zone(ids: list[str], index: int, ctx: Context):
    """The zone RecordedDate is written in: the export's own (its import id's ``timeZone``),
    else the folder's TIMEZONE or the setting."""
    raw = ids[index].strip() if index < len(ids) else ""
    try:
        name = json.loads(raw).get("timeZone") if raw else None
    except (ValueError, AttributeError):
        name = None
    if not name:
        return ctx.timezone
    return ctx.zone(name, "the export's RecordedDate import id")


def adapt(text: str, ctx: Context) -> Adapted:
    lines = records(text)
    if len(lines) < 3:
        raise FileRejected(f"{ctx.rel}: a Qualtrics export needs its three header rows")
    tags, ids = lines[0].cells, lines[2].cells
    pos = by_heading(tags)
    own = {pos[k] for k in (RESPONSE_ID, RECORDED, EMAIL, STATUS) if k in pos}
    items = survey_items.match_variables(tags, ctx.rel, skip=own)
    items.require(
        ("cohort_id", "grantee_id"),
        "add them to the survey as embedded data fields named cohort_id and grantee_id",
    )
    zone = export_zone(ids, pos[RECORDED], ctx)
    out = Adapted("qualtrics")
    out.unmapped = [t.strip() for i, t in enumerate(tags) if i not in own | items.used]
    out.people = people_in(tags, (line.cells for line in lines[3:]))
    for line in lines[3:]:
        if line.blank:
            continue
        reason = skip_reason(cell(line, pos.get(STATUS)))
        if reason:
            out.skip(line.number, reason)
            continue
        recorded = cell(line, pos[RECORDED])
        when = ctx.datetime(recorded, zone) if recorded else None
        if recorded and when is None:
            out.reject(
                line.number,
                "submitted_at",
                f"RecordedDate {recorded!r} is not a date and time ({DATETIME_EXAMPLES})",
            )
            continue
        fixed = {
            "response_id": cell(line, pos[RESPONSE_ID]) or None,
            "submitted_at": iso(when) if when else None,
            "email": cell(line, pos.get(EMAIL)) or None,
        }
        survey_items.respond(out, line, fixed, items)
    return out


LAYOUTS = (
    Layout(
        "qualtrics",
        "Qualtrics survey export",
        ("surveys/midpoint", "surveys/six_month"),
        sniff,
        adapt,
    ),
)
