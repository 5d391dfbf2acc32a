"""The Zoom poll report (SOURCES.md, Polls): a preamble naming the meeting, then the responses.

The preamble is a ``Poll Report`` title, a ``Report Generated:`` line and a meeting header
(``Topic,Meeting ID|Webinar ID,Actual Start Time,…``) with its one row; it picks the session.
The responses come in one of the forms Zoom has written over the years:

- long: ``#,User Name,User Email,Submitted Date and Time,Poll,Question,Answer``, one row per
  answer (some versions have no ``Poll`` column: the poll is then ``poll``);
- ragged (the older form): ``#,User Name,User Email,Submitted Date/Time,`` then, on each
  respondent's line, question, answer, question, answer … cells;
- a header that names the questions itself (``…,Submitted Date/Time,<question>``, a block per
  question in the 2021 reports), each line holding the answers under them.

Rows read are answers: a long row is one; a ragged line is one per question/answer pair (each
numbered by that line, as one line carries them all), a line without any pair one skipped row.
An answer left empty is skipped (``no answer``). Each question's scale is inferred from all its
answers in the file. The user name is read only to see that a response is anonymous and to
redact it from free text (``plcqi.ingest.redact``); it is never stored.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.base import (
    AGREEMENT,
    DATETIME_EXAMPLES,
    Adapted,
    Context,
    Layout,
    Line,
    by_heading,
    cell,
    head_lines,
    iso,
    norm,
    records,
    slug,
)

NAME = "zoom_poll"
TITLE = "Zoom poll report"
NO_ANSWER = "no answer"

# The five agreement labels, as compared (lower-case, spaces collapsed), and their values.
LIKERT_LABELS = {label.lower(): str(i) for i, label in enumerate(AGREEMENT, start=1)}
YES_NO = {"yes", "no"}
# What Zoom writes in place of a name (or an e-mail) when a poll is answered anonymously.
ANONYMOUS = {"anonymous attendee", "anonymous"}
_INTEGER = re.compile(r"[+-]?\d+")
# "Submitted Time (America/Los_Angeles)": the export states its own zone.
_ZONE_IN_HEADING = re.compile(r"\(([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+)\)")


def _is_title(line: Line) -> bool:
    return norm(line.first()) == "poll report"


def _is_meeting_header(line: Line) -> bool:
    h = by_heading(line.cells)
    return "topic" in h and "actual start time" in h and ("meeting id" in h or "webinar id" in h)


def _is_responses_header(line: Line) -> bool:
    heads = [norm(c) for c in line.cells]
    return (
        len(heads) >= 4
        and heads[0] == "#"
        and "user name" in heads
        and any("email" in h for h in heads)
        and any(h.startswith("submitted") for h in heads)
    )


def _head(text: str) -> list[Line]:
    """The first lines, each read on its own: enough to recognize the preamble."""
    out = []
    for number, raw in enumerate(head_lines(text), start=1):
        try:
            cells = next(csv.reader([raw]), [])
        except csv.Error:
            cells = []
        out.append(Line(number, cells))
    return out


# What a poll report shows in its first lines, each a test of one line.
MARKS = {
    "the title line 'Poll Report'": _is_title,
    "the meeting header (Topic, Meeting ID or Webinar ID, Actual Start Time)": _is_meeting_header,
    "the responses header (#, User Name, User Email, Submitted Date and Time)": (
        _is_responses_header
    ),
}


def sniff(text: str) -> tuple[int, list[str]]:
    lines = _head(text)
    lacks = [mark for mark, holds in MARKS.items() if not any(holds(ln) for ln in lines)]
    return len(MARKS) - len(lacks), lacks


def _session(lines: list[Line], ctx: Context) -> str:
    """The session the report is, from the meeting header's row."""
    at = next(i for i, ln in enumerate(lines) if _is_meeting_header(ln))
    header = by_heading(lines[at].cells)
    row = next((ln for ln in lines[at + 1 :] if not ln.blank), None)
    if row is None or _is_responses_header(row):
        raise FileRejected(
            f"{ctx.rel}, line {lines[at].number}: the meeting header has no row of values under it"
        )
    mid = cell(row, header.get("meeting id", header.get("webinar id")))
    started = cell(row, header["actual start time"])
    start = ctx.datetime(started) if started else None
    if started and start is None:
        raise FileRejected(
            f"{ctx.rel}, line {row.number}: the meeting's Actual Start Time {started!r} is not a "
            f"date-time plcqi reads (expected {DATETIME_EXAMPLES})"
        )
    return ctx.match_session(cell(row, header["topic"]), mid or None, start)


@dataclass
class Block:
    """A responses header: where its columns are and how its lines carry the answers."""

    name: int | None
    email: int | None
    submitted: int
    zone: ZoneInfo  # of its times: the export's own where the heading states it
    poll: int | None = None  # long form
    question: int | None = None  # long form
    answer: int | None = None  # long form
    first: int = 4  # ragged and question-header forms: the first answer cell
    questions: tuple[tuple[int, str], ...] = ()  # question-header form: (cell, question)

    @property
    def long(self) -> bool:
        return self.question is not None and self.answer is not None


def _block(header: Line, ctx: Context) -> Block:
    heads = [norm(c) for c in header.cells]
    h = by_heading(header.cells)
    submitted = next(i for i, x in enumerate(heads) if x.startswith("submitted"))
    zone = ctx.timezone
    stated = _ZONE_IN_HEADING.search(header.cells[submitted])
    if stated:
        zone = ctx.zone(stated.group(1), f"the heading {header.cells[submitted].strip()!r}")
    email = next((i for i, x in enumerate(heads) if "email" in x), None)
    fixed = [i for i in (h.get("#"), h.get("user name"), email, submitted) if i is not None]
    block = Block(
        name=h.get("user name"),
        email=email,
        submitted=submitted,
        zone=zone,
        poll=h.get("poll"),
        question=h.get("question"),
        answer=h.get("answer"),
        first=max(fixed) + 1,
    )
    if not block.long:
        block.questions = tuple(
            (i, header.cells[i].strip())
            for i in range(block.first, len(header.cells))
            if header.cells[i].strip()
        )
    return block


@dataclass
class Answer:
    """One answer, before its question's scale is known."""

    line: int
    poll: str
    question: str
    answer: str
    email: str | None
    submitted_at: str | None


def _pairs(line: Line, block: Block) -> list[tuple[str, str, str]]:
    """(poll, question, answer) of each answer a line carries."""
    if block.long:
        poll = cell(line, block.poll)
        return [(poll, cell(line, block.question), cell(line, block.answer))]
    if block.questions:
        return [("", question, cell(line, i)) for i, question in block.questions]
    rest = [c.strip() for c in line.cells[block.first :]]
    pairs = [(rest[i], rest[i + 1] if i + 1 < len(rest) else "") for i in range(0, len(rest), 2)]
    return [("", q, a) for q, a in pairs if q or a]


def _email(line: Line, block: Block) -> str | None:
    """The respondent's e-mail, or None for an anonymous response."""
    name, email = cell(line, block.name), cell(line, block.email)
    if norm(name) in ANONYMOUS or norm(email) in ANONYMOUS or not email:
        return None
    return email


def _answers(lines: list[Line], out: Adapted, ctx: Context) -> Iterator[Answer]:
    """Every answer under a responses header; rows that are none are skipped or rejected."""
    block = None
    for line in lines:
        if _is_responses_header(line):
            block = _block(line, ctx)
            continue
        if block is None or line.blank:
            continue  # the preamble, blank lines
        pairs = _pairs(line, block)
        if not pairs:
            out.skip(line.number, NO_ANSWER)
            continue
        stamp = cell(line, block.submitted)
        when = ctx.datetime(stamp, block.zone) if stamp else None
        email = _email(line, block)
        name = cell(line, block.name)
        if name and norm(name) not in ANONYMOUS:
            out.people.append(name)  # redacted from free text, never stored
        for poll, question, answer in pairs:
            if not answer:
                out.skip(line.number, NO_ANSWER)
            elif not question:
                out.reject(line.number, "question_id", "the answer names no question")
            elif stamp and when is None:
                out.reject(
                    line.number,
                    "submitted_at",
                    f"{stamp!r} is not a date-time plcqi reads (expected {DATETIME_EXAMPLES})",
                )
            else:
                submitted = iso(when) if when else None
                yield Answer(line.number, poll, question, answer, email, submitted)


def _compared(answer: str) -> str:
    return " ".join(answer.lower().split())


def scale_of(answers: set[str]) -> str:
    """A question's scale from all its answers.

    Only agreement labels or the integers 1-5: ``likert5``; only Yes/No: ``yes_no``; else
    ``choice``. Beside agreement labels any integer keeps the question ``likert5`` (the labels
    show the scale; a value outside 1-5 is then quarantined rather than turning every answer
    of the question into a choice); integers alone are ``likert5`` only when all are 1-5.

    >>> scale_of({"Agree", "STRONGLY AGREE"}), scale_of({"1", "5"}), scale_of({"1", "7"})
    ('likert5', 'likert5', 'choice')
    >>> scale_of({"Yes", "no"}), scale_of({"Yes", "No;Maybe"})
    ('yes_no', 'choice')
    """
    compared = {_compared(a) for a in answers}
    if compared <= YES_NO:
        return "yes_no"
    labels = compared & LIKERT_LABELS.keys()
    numbers = compared - LIKERT_LABELS.keys()
    if not all(_INTEGER.fullmatch(n) for n in numbers):
        return "choice"
    if labels or all(1 <= int(n) <= 5 for n in numbers):
        return "likert5"
    return "choice"


def value_of(answer: str, scale: str) -> str:
    """The contract's response_value: a likert5 label as 1-5, yes/no lower-case, else the
    answer text (a multi-select answer stays Zoom's ``;``-joined text)."""
    compared = _compared(answer)
    if scale == "likert5":
        return LIKERT_LABELS.get(compared) or str(int(compared))
    if scale == "yes_no":
        return compared
    return answer


def adapt(native: str, ctx: Context) -> Adapted:
    out = Adapted(NAME)
    lines = records(native)
    out.session = _session(lines, ctx)
    answers = list(_answers(lines, out, ctx))
    seen: dict[tuple[str, str], set[str]] = {}
    for a in answers:
        seen.setdefault((a.poll, a.question), set()).add(a.answer)
    scales = {key: scale_of(values) for key, values in seen.items()}
    for a in answers:
        scale = scales[(a.poll, a.question)]
        out.rows.append(
            {
                "_row": a.line,
                "session_id": out.session,
                "poll_id": slug(a.poll) if a.poll else "poll",
                "question_id": slug(a.question),
                "question_text": a.question,
                "scale": scale,
                "email": a.email,
                "response_value": value_of(a.answer, scale),
                "submitted_at": a.submitted_at,
            }
        )
    return out


LAYOUTS: tuple[Layout, ...] = (Layout(NAME, TITLE, ("polls",), sniff, adapt),)
