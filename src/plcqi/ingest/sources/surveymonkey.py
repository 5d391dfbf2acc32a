"""SurveyMonkey survey exports (SOURCES.md "Surveys"): "All responses data", CSV, expanded.

Two header rows. The first holds ``Respondent ID``, ``Collector ID``, ``Start Date``,
``End Date``, ``IP Address``, ``Email Address``, ``First Name``, ``Last Name``, custom data,
then one heading per question; a question with several columns (a multi-select, a matrix,
contact information) heads its first column and leaves the others blank. The second row
says what each column holds: ``Response``, ``Open-Ended Response`` or an option's label.

SurveyMonkey has no variable names, so ``COLUMNS.csv`` (``source,column``) says which question
is which survey column: the question text, or ``question - option`` for one column of a
multi-column question (a matrix row). A multi-select question mapped to ``barriers`` gives a
column per option, holding the option's label when chosen. ``Respondent ID`` is the
response, ``End Date`` its time (local: a TIMEZONE file), ``Email Address`` the respondent,
unless the mapping names other columns for them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import islice

from plcqi.ingest.read import FileRejected
from plcqi.ingest.redact import people_in
from plcqi.ingest.sources import survey_items
from plcqi.ingest.sources.base import (
    DATETIME_EXAMPLES,
    MAPPING_FILE,
    Adapted,
    Context,
    Layout,
    cell,
    iso,
    norm,
    records,
)

_MARKS = ("Respondent ID", "Collector ID", "Start Date", "End Date")
# What the layout's own columns are, unless COLUMNS.csv maps other columns to them.
DEFAULTS = {"respondent id": "response_id", "end date": "submitted_at", "email address": "email"}
_SINGLE = ("response", "open-ended response", "")


@dataclass(frozen=True)
class Question:
    """A first-row heading and the columns under it (with their second-row labels)."""

    text: str
    columns: tuple[int, ...]
    labels: tuple[str, ...]

    @property
    def single(self) -> bool:
        """Its first column is the answer (a single choice or text; further columns, such as
        ``Other (please specify)``, are extras)."""
        return norm(self.labels[0]) in _SINGLE


def sniff(text: str) -> tuple[int, list[str]]:
    head = next(islice(csv.reader(io.StringIO(text, newline="")), 1), [])
    names = {norm(h) for h in head}
    missing = [f"a {m} column" for m in _MARKS if norm(m) not in names]
    return len(_MARKS) - len(missing), missing


def questions(first: list[str], second: list[str]) -> list[Question]:
    """The first header row's headings with the columns each spans."""
    out: list[tuple[str, list[int]]] = []
    for i, heading in enumerate(first):
        if heading.strip() or not out:
            out.append((heading.strip(), [i]))
        else:
            out[-1][1].append(i)
    return [
        Question(t, tuple(cols), tuple(second[i].strip() if i < len(second) else "" for i in cols))
        for t, cols in out
    ]


def match(qs: list[Question], mapping: dict[str, str], rel: str) -> survey_items.Items:
    """The survey columns, by the mapping (question, or ``question - option``) and defaults."""
    mapped = set(mapping.values())
    items = survey_items.Items(rel)
    for q in qs:
        default = DEFAULTS.get(norm(q.text))
        whole = mapping.get(norm(q.text)) or (default if default not in mapped else None)
        for index, label in zip(q.columns, q.labels, strict=True):
            part = mapping.get(norm(f"{q.text} - {label}")) if label else None
            if part:
                items.add(part, index, f"{q.text} - {label}")
        if not whole:
            continue
        if q.single:
            items.add(whole, q.columns[0], q.text)
        elif whole == survey_items.BARRIERS:
            for index, label in zip(q.columns, q.labels, strict=True):
                heading = f"{q.text} - {label}"
                items.add_choice(survey_items.Choice(index, heading, label, selected=True))
        else:
            raise FileRejected(
                f"{rel}: {MAPPING_FILE} maps {q.text!r} to {whole}, but that question has a "
                f"column per option ({', '.join(q.labels)}); map one of its columns as "
                f"'{q.text} - <option>' instead"
            )
    return items


def adapt(text: str, ctx: Context) -> Adapted:
    if not ctx.mapping:
        raise FileRejected(
            f"{ctx.rel}: a SurveyMonkey export has no variable names: put a {MAPPING_FILE} "
            "(header source,column) beside it or in a folder above it, mapping each question "
            "text to its survey column (e.g. 'My knowledge of the topic increased',knowledge_gain)"
        )
    lines = records(text)
    if len(lines) < 2:
        raise FileRejected(f"{ctx.rel}: a SurveyMonkey export needs its two header rows")
    qs = questions(lines[0].cells, lines[1].cells)
    items = match(qs, ctx.mapping, ctx.rel)
    items.require(
        ("cohort_id", "grantee_id"),
        f"map the questions or custom data that hold them in {MAPPING_FILE}",
    )
    own = ("response_id", "submitted_at")  # converted here, not as items
    fixed_at = {c: items.columns.pop(c) for c in own if c in items.columns}
    out = Adapted("surveymonkey")
    used = items.used | set(fixed_at.values())
    out.unmapped = [
        lines[0].cells[i].strip() or f"{q.text} - {label}"
        for q in qs
        for i, label in zip(q.columns, q.labels, strict=True)
        if i not in used
    ]
    out.people = people_in(lines[0].cells, (line.cells for line in lines[2:]))
    for line in lines[2:]:
        if line.blank:
            continue
        ended = cell(line, fixed_at.get("submitted_at"))
        when = ctx.datetime(ended) if ended else None
        if ended and when is None:
            out.reject(
                line.number,
                "submitted_at",
                f"{ended!r} is not a date and time ({DATETIME_EXAMPLES})",
            )
            continue
        fixed = {
            "response_id": cell(line, fixed_at.get("response_id")) or None,
            "submitted_at": iso(when) if when else None,
        }
        survey_items.respond(out, line, fixed, items)
    return out


LAYOUTS = (
    Layout(
        "surveymonkey",
        "SurveyMonkey survey export",
        ("surveys/midpoint", "surveys/six_month"),
        sniff,
        adapt,
    ),
)
