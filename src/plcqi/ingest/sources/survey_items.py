"""The item rules every survey layout shares (SOURCES.md "Surveys"): which native column is
which contract survey column, and how a native cell becomes the contract's value.

A layout finds the columns (Qualtrics and REDCap by variable name, SurveyMonkey through
``COLUMNS.csv``) into an ``Items``; ``respond`` then turns each response row into a contract
row, or rejects it naming the column when a cell cannot be converted. Values come out as the
contract's codes: a 1-5 item as ``"1"``..``"5"`` (agreement labels mapped), a coded item as its
code (``Lead agency buy-in`` -> ``lead_agency_buyin``), ``barriers`` as ``;``-separated codes.

Numeric codes of coded items are refused on purpose: every survey tool numbers choices its
own way, so ``2`` in a yes/no item means nothing certain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plcqi.ingest import contract
from plcqi.ingest.read import FileRejected
from plcqi.ingest.sources.base import AGREEMENT, Adapted, Line, cell, code, norm

_COLUMNS = {c.name: c for c in contract.dataset("surveys/midpoint").columns}

# The columns an export names by variable (or a mapping names): people and groups, the items,
# the comments. response_id and submitted_at come from each layout's own metadata columns.
VARIABLES = tuple(name for name in _COLUMNS if name not in ("response_id", "submitted_at"))
IDENTITY = ("cohort_id", "grantee_id", "participant_id", "email")
LIKERT = tuple(c.name for c in _COLUMNS.values() if c.type == contract.INT)
CODED = tuple(c.name for c in _COLUMNS.values() if c.type == contract.ENUM)
BARRIERS = "barriers"
BARRIER_CODES = _COLUMNS[BARRIERS].values

_AGREEMENT = {code(label): str(i) for i, label in enumerate(AGREEMENT, start=1)}

# One column per barrier: ``barriers___time`` in REDCap (its checkbox columns), else
# ``barriers_time``.
REDCAP_CHECKBOX, SPLIT = "___", "_"
_MARKED = ("1", "checked")
_UNMARKED = ("", "0", "unchecked")
_NUMERIC = re.compile(r"^[0-9]+([.,;][0-9]+)*$")


def code_of(label: str, values: tuple[str, ...]) -> str | None:
    """The contract value a choice label stands for, compared by ``code``; None if none.

    >>> code_of("Lead agency buy-in", BARRIER_CODES)
    'lead_agency_buyin'
    """
    wanted = code(label)
    return next((v for v in values if code(v) == wanted), None) if wanted else None


@dataclass(frozen=True)
class Choice:
    """A column of one barrier: marked 1/0 or Checked/Unchecked (``selected=False``), or, as
    SurveyMonkey writes a multi-select, holding the choice's label when chosen."""

    index: int
    heading: str  # as the file names the column, for messages
    label: str  # the choice: a code suffix (barriers___time) or an option label
    selected: bool = False

    @property
    def value(self) -> str | None:
        return code_of(self.label, BARRIER_CODES)


@dataclass
class Items:
    """Where each contract survey column is in a native file."""

    rel: str
    columns: dict[str, int] = field(default_factory=dict)  # contract column -> position
    choices: list[Choice] = field(default_factory=list)  # one column per barrier
    headings: dict[int, str] = field(default_factory=dict)

    def add(self, column: str, index: int, heading: str) -> None:
        """``column`` is at ``index``; two columns for one item make the file ambiguous."""
        if column in self.columns and self.columns[column] != index:
            first = self.headings[self.columns[column]]
            raise FileRejected(
                f"{self.rel}: both {first!r} and {heading!r} are {column}; keep one of them"
            )
        self.columns[column] = index
        self.headings[index] = heading

    def add_choice(self, choice: Choice) -> None:
        self.choices.append(choice)
        self.headings[choice.index] = choice.heading

    @property
    def used(self) -> set[int]:
        return set(self.columns.values()) | {c.index for c in self.choices}

    def require(self, columns: tuple[str, ...], hint: str) -> None:
        """Reject the file when a required column is nowhere in it (every row would fail)."""
        missing = [c for c in columns if c not in self.columns]
        if missing:
            plural = "s" if len(missing) > 1 else ""
            raise FileRejected(
                f"{self.rel}: no {' or '.join(missing)} column{plural} in the export; {hint}"
            )


def match_variables(
    header: list[str], rel: str, skip: set[int] | None = None, checkbox: str = SPLIT
) -> Items:
    """The survey columns of a header of variable names (Qualtrics export tags, REDCap
    variables), compared case-insensitively; ``skip`` holds positions the layout uses, and
    ``checkbox`` joins ``barriers`` to a code in a column per barrier."""
    items = Items(rel)
    skip = skip or set()
    names = [norm(h) for h in header]
    for i, name in enumerate(names):
        if i in skip:
            continue
        if name in VARIABLES:
            items.add(name, i, header[i].strip())
    if BARRIERS in items.columns:
        return items  # one column of selections; barriers_<x> columns are something else
    prefix = BARRIERS + checkbox
    for i, name in enumerate(names):
        if i in skip or not name.startswith(prefix) or len(name) == len(prefix):
            continue
        choice = Choice(i, header[i].strip(), name[len(prefix) :])
        # barriers_8_TEXT (Qualtrics' text entry) is no barrier; REDCap's barriers___8 is one,
        # numbered: a response that checks it is refused, as numeric codes are.
        if choice.value or checkbox == REDCAP_CHECKBOX:
            items.add_choice(choice)
    return items


def respond(adapted: Adapted, line: Line, fixed: dict[str, str | None], items: Items) -> None:
    """Add one response: the layout's ``fixed`` columns (response_id, submitted_at, email)
    with the items' values; or reject the row, naming the first column that fails."""
    row: dict = {"_row": line.number, **fixed}
    problems: list[tuple[str, str]] = []
    for column, index in items.columns.items():
        value, problem = convert(column, cell(line, index))
        if row.get(column) is None:  # the layout's own column wins (Qualtrics' RecipientEmail)
            row[column] = value
        if problem:
            problems.append((column, problem))
    if items.choices:
        value, problem = _from_choices(line, items.choices)
        row[BARRIERS] = value
        if problem:
            problems.append((BARRIERS, problem))
    if row.get("participant_id"):
        row["email"] = None  # the participant_id, when given, identifies the respondent
    # Neither: an anonymous response, as INPUTS.md allows (an anonymous survey link has no
    # recipient). An address that is not in participants.csv is quarantined by the checks.
    if problems:
        (column, reason), rest = problems[0], problems[1:]
        reason += "".join(f"; also {c}: {r}" for c, r in rest)
        adapted.reject(line.number, column, reason)
        return
    adapted.rows.append(row)


def convert(column: str, text: str) -> tuple[str | None, str | None]:
    """(the contract value, or the reason it cannot be one) of one cell of ``column``."""
    text = text.strip()
    if not text:
        return None, None
    if column in LIKERT:
        return _likert(text)
    if column in CODED:
        return _coded(column, text)
    if column == BARRIERS:
        return _barriers(text)
    return text, None


def _likert(text: str) -> tuple[str | None, str | None]:
    if re.fullmatch(r"[+-]?[0-9]+", text):
        return text, None  # the contract's check says when it is outside 1-5
    if code(text) in _AGREEMENT:
        return _AGREEMENT[code(text)], None
    return None, (
        f"{text!r} is neither a whole number 1-5 nor one of the agreement labels "
        f"({', '.join(AGREEMENT)})"
    )


def _numeric_code(text: str, values: tuple[str, ...]) -> str:
    return (
        f"{text!r} is a numeric choice code, not a choice's text ({', '.join(values)}); "
        "export choice text: each survey tool numbers its choices its own way"
    )


def _coded(column: str, text: str) -> tuple[str | None, str | None]:
    values = _COLUMNS[column].values
    if _NUMERIC.match(text):
        return None, _numeric_code(text, values)
    # An unknown label goes on as it is: the contract's check quarantines it, showing it.
    return code_of(text, values) or text, None


def _barriers(text: str) -> tuple[str | None, str | None]:
    """One column of selections: ``;``-separated, or ``,``-separated when every part is a
    barrier (a label may itself hold a comma)."""
    if _NUMERIC.match(text):
        return None, _numeric_code(text, BARRIER_CODES)
    if ";" in text:
        parts = [p for p in (p.strip() for p in text.split(";")) if p]
    else:
        parts = [p.strip() for p in text.split(",")]
        if not all(code_of(p, BARRIER_CODES) for p in parts):
            parts = [text]
    found = [code_of(p, BARRIER_CODES) for p in parts]
    if all(found):
        return ";".join(dict.fromkeys(f for f in found if f)), None
    return text, None  # the contract's check names the value that is not a barrier


def _from_choices(line: Line, choices: list[Choice]) -> tuple[str | None, str | None]:
    """``barriers`` from one column per barrier; None when none is marked."""
    chosen: list[str] = []
    for choice in choices:
        raw = cell(line, choice.index)
        marked, problem = _marked(choice, raw)
        if problem:
            return None, problem
        if not marked:
            continue
        if choice.value is None:
            return None, (
                f"{choice.heading} is chosen but {choice.label!r} is not a barrier "
                f"({', '.join(BARRIER_CODES)})"
            )
        chosen.append(choice.value)
    return (";".join(dict.fromkeys(chosen)) or None), None


def _marked(choice: Choice, raw: str) -> tuple[bool, str | None]:
    value = raw.strip()
    if choice.selected:
        return bool(value), None
    if value.lower() in _MARKED or (value and code(value) == code(choice.label)):
        return True, None  # 1, Checked, or the choice's own label (REDCap can export those)
    if value.lower() in _UNMARKED:
        return False, None
    return False, (
        f"{value!r} in {choice.heading} is not a checkbox value (expected 1 or 0, "
        "Checked or Unchecked)"
    )
