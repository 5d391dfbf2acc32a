"""Malformed landing files, generated (hypothesis), and what ingesting any of them must give.

``landing_files()`` draws a landing file of an event dataset: a contract CSV with any header
(columns missing, repeated, re-spelled, extra columns holding names), good and bad values
(unknown, malformed and implausible ids, dates and enums, control characters, participants'
names in free text, huge cells), written any way (quoting, CRLF / CR / LF and mixes, BOMs,
UTF-16 with and without a BOM, stray bytes, ragged rows, quotes left open), or a file that
looks like a native export (Zoom, Teams, Qualtrics, REDCap, SurveyMonkey), or not text at
all. ``check(con, zone, case)`` ingests it in-process with ``extract_file`` and asserts what
INPUTS.md promises whatever arrives:

- no exception but ``FileRejected``, whose message starts with the file and reads plainly;
- a file with nothing that justifies rejecting it is not rejected, and loses no row;
- rows read = loaded + quarantined + skipped, checked against the raw and quarantine files;
- every quarantine record names the file, the row, the column and a plain reason;
- nothing but contract columns is stored (not an extra column, not in ``row_json``);
- no control character, no implausible date, no malformed id and no participant's name (in
  the free-text columns) reaches the raw zone; control characters are counted exactly.

Used by ``tests/ingest/test_ingest_properties.py`` (a fixed budget of examples in every test
run) and ``benchmarks/fuzz_ingest.py`` (as many as asked).
"""

from __future__ import annotations

import io
import json
import random
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from hypothesis import strategies as st

from plcqi.ingest import contract
from plcqi.ingest.extract import FileRejected, extract_file
from plcqi.ingest.rawzone import Zone, raw_columns
from tests.helpers import PEOPLE, names_in, write_reference

DATASETS = ("attendance", "polls", "surveys/midpoint", "surveys/six_month", "ta_requests")
KNOWN_NAMES = [name for _, _, name, _ in PEOPLE]
# People a file names in a name column of its own, not in participants.csv.
OWN_NAMES = ["Mary Jackson", "Annie Easley", "Christine Darden"]
# What a plain message never shows: a parser's or a program's words.
INTERNALS = ("Error", "Traceback", "pyarrow", "CSV parse", "Invalid", "Exception", "duckdb")
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)]
CONTROLS += ["\ufffe", "\uffff"]
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\r]")
_ID = re.compile(contract.ID_PATTERN)


@dataclass
class Case:
    """One generated landing file and what the generator knows about it."""

    dataset: str
    name: str
    data: bytes
    kind: str  # contract, native or binary
    may_reject: bool  # something in it justifies rejecting the whole file
    rows: int | None = None  # data rows it holds, when its structure is intact
    controls: int | None = None  # control characters put in its text, when known
    names: list[str] = field(default_factory=list)  # full names it holds

    def __repr__(self) -> str:  # a falsifying example, short enough to read
        data = self.data if len(self.data) <= 600 else self.data[:600] + b"..."
        return (
            f"Case({self.dataset!r}, {self.kind}, may_reject={self.may_reject}, "
            f"rows={self.rows}, controls={self.controls}, names={self.names}, data={data!r})"
        )

    def _repr_pretty_(self, printer, cycle) -> None:  # how hypothesis prints an example
        printer.text(repr(self))


# --- values --------------------------------------------------------------------------------

NOW = datetime.now(UTC)
GOOD = {
    "session_id": ["S1", "S2", "S4"],
    "participant_id": ["P001", "P002", "P003", "P004", ""],
    "email": ["", "ada.lovelace@example.org", " GRACE.HOPPER@example.gov "],
    "grantee_id": ["G01", "G02", "G03", "G04"],
    "cohort_id": ["K1", "K2"],
    "center_id": ["C1", "C2", ""],
    "source_opportunity_id": ["O1", ""],
    "datetime": ["2024-01-15T14:00:00", "2024-01-15 15:00", "2024-01-15T09:30:00-05:00"],
    "likert": ["1", "3", "5", ""],
}
BAD = {
    "id": ["../x", ".hidden", "index.html", "x" * 65, "two words", "S9", "Zoë", "P001/1"],
    "datetime": [
        "1999-12-31T23:00:00",
        "9999-12-31T00:00:00",
        "2100-01-01",
        "0001-01-01T00:00:00",
        "2024-02-30T10:00:00",
        "yesterday",
        "12/31/2024 10:00 AM",
        (NOW + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S"),
        (NOW + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
    ],
    "number": ["0", "7", "3.5", "-1", "x", "1e3"],
    "enum": ["bogus", "YES!", "likert7"],
}
WORDS = ["great", "session", "thanks", "the", "Grace", "Ada", "time", "cost", "é", "中文", "🙂"]


def _name_forms(name: str) -> list[str]:
    first, last = name.split(" ", 1)
    return [name, name.upper(), f"{last}, {first}", f"{first}\n{last}", f"{first}  {last}'s"]


def free_text(rng: random.Random) -> str:
    """A comment: words, punctuation, quotes, line breaks, e-mails, and names (of known
    participants, and of people only a file's own name column may name)."""
    parts = []
    for _ in range(rng.randint(0, 8)):
        kind = rng.randint(0, 3)
        if kind == 0:
            parts.append(rng.choice(WORDS))
        elif kind == 1:
            parts.append(
                rng.choice([",", ";", '"', '""', "\n", "\t", "  ", '5" screen', "a@b.org"])
            )
        elif kind == 2:
            parts.append("".join(rng.choices(string.ascii_letters + " ,.", k=rng.randint(0, 8))))
        else:
            parts.append(rng.choice(_name_forms(rng.choice(KNOWN_NAMES + OWN_NAMES))))
    return " ".join(parts)


def value(rng: random.Random, column: contract.Column) -> str:
    """A cell of ``column``: mostly good, often bad in the ways the contract names."""
    bad = rng.random() < 0.3
    t = column.type
    if t == contract.ID:
        pool = GOOD.get(column.name, ["poll1", "q1", "R1", "R2", "M1"])
        return rng.choice(BAD["id"] + pool if bad else pool)
    if t == contract.DATETIME:
        return rng.choice(BAD["datetime"] if bad else GOOD["datetime"])
    if t == contract.INT:
        return rng.choice(BAD["number"] if bad else GOOD["likert"])
    if t == contract.ENUM:
        good = list(column.values) + [column.values[0].upper(), ""]
        return rng.choice(BAD["enum"] if bad else good)
    if t == contract.ENUM_LIST:
        return rng.choice(["time;cost", "Turnover", "", "bogus;time"])
    if column.name == "email":
        return rng.choice(GOOD["email"] + (["nobody@nowhere.org"] if bad else []))
    return free_text(rng)


# --- writing a CSV ---------------------------------------------------------------------------


def _cell(text: str, quote: str) -> str:
    needs = any(c in text for c in ',"\n\r') or text != text.strip()
    if quote == "all" or (quote == "minimal" and needs):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def contract_csv(draw, dataset: str) -> Case:
    ds = contract.dataset(dataset)
    names: list[str] = []
    may_reject = False
    columns = [c for c in contract.contract_columns(ds) if c.required or draw(st.booleans())]
    if draw(st.integers(0, 19)) == 0 and columns:  # a required column missing
        dropped = draw(st.sampled_from(columns))
        columns.remove(dropped)
        may_reject = may_reject or dropped.required
    columns = draw(st.permutations(columns))
    headings = [
        draw(st.sampled_from([c.name, c.name.upper(), f" {c.name} ", c.name.title()]))
        for c in columns
    ]
    extras = draw(
        st.lists(
            st.sampled_from(["attendee", "Notes", "device", "_row", "", "first name"]),
            max_size=2,
            unique=True,
        )
    )
    headings += extras
    if draw(st.integers(0, 29)) == 0 and headings:  # a repeated column name
        headings.append(headings[0].upper())
        may_reject = True
    controls = 0
    # The structure is drawn, so that hypothesis shrinks it; the cells come from a seeded
    # generator (one draw instead of hundreds: most of an example's cost otherwise).
    rng = draw(st.randoms(use_true_random=True))
    quote = draw(st.sampled_from(["minimal", "minimal", "all", "none"]))
    lines = [",".join(_cell(h, quote if quote != "none" else "minimal") for h in headings)]
    rows = draw(st.integers(0, 6))
    structure_ok = True
    for _ in range(rows):
        cells = [value(rng, c) for c in columns]
        for extra in extras:
            person = rng.choice(OWN_NAMES + [""])
            cells.append(person.split(" ")[0] if extra == "first name" else person)
        planted: dict[int, int] = {}  # cell -> control characters put in it
        if rng.random() < 0.1 and cells:  # control characters in a cell
            chars = rng.choices(CONTROLS, k=rng.randint(1, 3))
            at = rng.randrange(len(cells))
            cells[at] += "".join(chars)
            planted[at] = len(chars)
        if rng.random() < 0.025 and cells:  # a cell over the size limit (its own text gone)
            at = rng.randrange(len(cells))
            cells[at] = "z" * (contract.MAX_CELL_CHARS + rng.randint(1, 50))
            planted.pop(at, None)
        written = [_cell(c, quote) for c in cells]
        if quote == "none" and any(c != _cell(c, "minimal") for c in cells):
            structure_ok = False  # unquoted commas, quotes or line breaks: anything goes
            may_reject = True
        if rng.random() < 0.07:  # a ragged row
            if written and rng.random() < 0.5:
                written.pop()
                cells.pop()
                planted.pop(len(cells), None)  # what was put in the dropped cell is not written
            else:
                written.append("surplus")
        controls += sum(planted.values())
        if "attendee" in extras:  # a full name the file gives, where it still stands
            at = len(columns) + extras.index("attendee")
            person = _CONTROL.sub("", cells[at]) if at < len(cells) else ""
            if person in OWN_NAMES:
                names.append(person)
        lines.append(",".join(written))
    if draw(st.integers(0, 14)) == 0 and len(lines) > 1:  # a quote left open
        at = draw(st.integers(1, len(lines) - 1))
        lines[at] = '"' + lines[at]
        structure_ok, may_reject = False, True
    if draw(st.integers(0, 9)) == 0 and len(lines) > 1:  # a blank line
        lines.insert(draw(st.integers(1, len(lines))), "")
    ending = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    ends = [rng.choice(["\n", "\r\n", "\r"]) if ending == "mixed" else ending for _ in lines]
    if not draw(st.booleans()):
        ends[-1] = ""  # no line end after the last line
    text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    data, encoding_rejects = draw(encoded(text))
    may_reject = may_reject or encoding_rejects
    if len(headings) == 0 or not any(h.strip() for h in headings):
        may_reject = True
    return Case(
        dataset,
        "f.csv",
        data,
        "contract",
        may_reject,
        rows=rows if structure_ok else None,
        controls=controls if structure_ok else None,
        # rows no longer line up with the lines when the structure is broken: its name column
        # may then hold anything, and only the known participants' names are checked
        names=sorted(set(names)) if structure_ok else [],
    )


@st.composite
def encoded(draw, text: str) -> tuple[bytes, bool]:
    """The text's bytes, and whether their encoding rejects the file."""
    how = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "utf-16-bom", "utf-16-nobom", "latin-1"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8"), False
    if how == "utf-16-bom":
        return b"\xff\xfe" + text.encode("utf-16-le"), False
    if how == "utf-16-nobom":
        return text.encode("utf-16-le"), True
    if how == "latin-1":
        data = text.encode("utf-8")
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\xe9" + data[at:], True
    return text.encode("utf-8"), False


# --- native-looking files and binaries --------------------------------------------------------


def _zoom_meeting(draw) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        email = draw(st.sampled_from(["ada.lovelace@example.org", "", "x@y.org", "Guest"]))
        join = draw(st.sampled_from(["01/15/2024 09:01:00 AM", "--", "13/45/2024", ""]))
        rows.append(f"Ada Lovelace (Ada L),{email},{join},01/15/2024 10:00:00 AM,59,No")
    block = draw(st.booleans())
    head = (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        f"812 3456 7890,Kickoff,{draw(st.sampled_from(['01/15/2024 08:58:00 AM', 'soon']))},"
        "01/15/2024 10:00:00 AM,host@example.org,62,3\n\n"
        if block
        else ""
    )
    return (
        head
        + "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        + ("\n".join(rows))
    )


def _zoom_poll(draw) -> str:
    answers = draw(
        st.lists(st.sampled_from(["Agree", "Yes", "4", "Strongly agree", ""]), max_size=4)
    )
    lines = [
        "Poll Report",
        "Report Generated:,01/15/2024 11:00 AM",
        "Topic,Meeting ID,Actual Start Time,Actual Duration (minutes),# Participants",
        f"Kickoff,,{draw(st.sampled_from(['01/15/2024 09:00:00 AM', 'never']))},60,3",
        "",
        "#,User Name,User Email,Submitted Date and Time,Poll,Question,Answer",
    ]
    for i, a in enumerate(answers, 1):
        who = draw(st.sampled_from(["Grace Hopper,grace.hopper@example.gov", "Anonymous,", ",x"]))
        lines.append(f"{i},{who},01/15/2024 09:30:00 AM,Poll 1,How useful?,{a}")
    return "\n".join(lines)


def _qualtrics(draw, names: list[str]) -> str:
    tags = "StartDate,Status,ResponseId,RecordedDate,RecipientFirstName,RecipientLastName,"
    tags += "RecipientEmail,cohort_id,grantee_id,knowledge_gain,comments"
    texts = 'Start,Type,Response ID,Recorded,First,Last,Email,cohort,grantee,"Knowledge\nline",C'
    ids = ",".join(f'"{{""ImportId"":""{t}""}}"' for t in tags.split(","))
    lines = [tags, texts, ids]
    for i in range(draw(st.integers(0, 4))):
        first, last = draw(st.sampled_from(OWN_NAMES)).split(" ")
        names.append(f"{first} {last}")
        comment = _cell(free_text(draw(st.randoms())) + f" {first} {last} said so", "minimal")
        status = draw(st.sampled_from(["0", "IP Address", "Survey Preview", "1"]))
        when = draw(st.sampled_from(["2024-03-08 15:04:41", "later", ""]))
        likert = draw(st.sampled_from(["Agree", "4", "9", "x"]))
        lines.append(
            f"2024-03-08 15:00:00,{status},R_{i},{when},{first},{last},,K1,G01,{likert},{comment}"
        )
    return "\n".join(lines)


def _redcap(draw) -> str:
    lines = ["record_id,first_name,last_name,cohort_id,grantee_id,midpoint_timestamp,comments"]
    for i in range(draw(st.integers(0, 3))):
        when = draw(st.sampled_from(["2024-03-08 15:04", "[not completed]", "", "junk"]))
        lines.append(f"{i + 1},Annie,Easley,K1,G0{i + 1},{when},Annie Easley helped")
    return "\n".join(lines)


def _teams(draw) -> str:
    lines = [
        "1. Summary",
        "Meeting title\tKickoff",
        f"Start time\t{draw(st.sampled_from(['1/15/24, 9:00:00 AM', 'whenever']))}",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    for _ in range(draw(st.integers(0, 3))):
        role = draw(st.sampled_from(["Attendee", "Organizer", "Presenter"]))
        times = "1/15/24, 9:01:00 AM\t1/15/24, 9:59:00 AM\t58m"
        lines.append(f'"Ada\t{times}\tada.lovelace@example.org\t\t{role}')
    return "\r\n".join(lines)


NATIVE_DATASETS = {
    "zoom_meeting": "attendance",
    "teams": "attendance",
    "zoom_poll": "polls",
    "qualtrics": "surveys/midpoint",
    "redcap": "surveys/six_month",
}


@st.composite
def native_file(draw) -> Case:
    layout = draw(st.sampled_from(sorted(NATIVE_DATASETS)))
    names: list[str] = []
    if layout == "zoom_meeting":
        text = _zoom_meeting(draw)
    elif layout == "zoom_poll":
        text = _zoom_poll(draw)
    elif layout == "qualtrics":
        text = _qualtrics(draw, names)
    elif layout == "redcap":
        text = _redcap(draw)
        names.append("Annie Easley")
    else:
        text = _teams(draw)
    if draw(st.integers(0, 4)) == 0:  # a native file broken like any other
        lines = text.split("\n")
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = draw(st.sampled_from(['"', "\x07", ",,,,", ""])) + lines[at]
        text = "\n".join(lines)
    data = b"\xff\xfe" + text.encode("utf-16-le") if layout == "teams" else text.encode()
    return Case(NATIVE_DATASETS[layout], "native.csv", data, "native", True, names=names)


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["request_id", "grantee_id", "submitted_at"])
    book.active.append(["R1", "G01", datetime(2024, 1, 2, 10)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_BINARIES = {
    "xlsx": _xlsx(),
    "xlsx-damaged": _xlsx()[:900],
    "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00data.csv",
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
}


@st.composite
def binary_file(draw) -> Case:
    kind = draw(st.sampled_from([*sorted(_BINARIES), "random", "empty"]))
    if kind == "random":
        data = draw(st.binary(min_size=1, max_size=64))
    elif kind == "empty":
        data = draw(st.sampled_from([b"", b"\n\n", b"\xef\xbb\xbf", b"  \r\n"]))
    else:
        data = _BINARIES[kind]
    return Case(draw(st.sampled_from(DATASETS)), "b.csv", data, "binary", True)


def landing_files() -> st.SearchStrategy[Case]:
    contract_files = st.sampled_from(DATASETS).flatmap(contract_csv)
    return st.one_of(contract_files, contract_files, contract_files, native_file(), binary_file())


# --- the checks ------------------------------------------------------------------------------


def make_zone(root: Path) -> Zone:
    """A data folder with the small reference set of ``tests.helpers`` loaded."""
    from plcqi.ingest.run import ingest

    write_reference(root)
    report = ingest(root, sources=["reference"])
    assert report.ok, [r.message for r in report.rejected]
    return Zone(root)


def plain(message: str) -> None:
    """A message a person reads: one line, no parser's or program's words (outside the
    values it quotes)."""
    unquoted = re.sub(r"'[^']*'", "''", message)
    assert unquoted.strip() and "\n" not in unquoted, message
    for word in INTERNALS:
        assert word not in unquoted, (word, message)


def check(con: duckdb.DuckDBPyConnection, zone: Zone, case: Case) -> str:
    """Ingest ``case`` and assert every promise; the outcome (``loaded`` / ``rejected``)."""
    ds = contract.dataset(case.dataset)
    rel = f"{case.dataset}/{case.name}"
    path = zone.landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.data)
    loaded_at = datetime.now(UTC)
    try:
        result = extract_file(con, zone, ds, path, rel, "0" * 64, loaded_at)
    except FileRejected as e:
        message = str(e)
        assert message.startswith(rel), message
        plain(message)
        assert case.may_reject, f"{rel} rejected: {message}"
        return "rejected"
    finally:
        path.unlink()
    try:
        _check_loaded(con, ds, case, rel, result, loaded_at)
    finally:
        for f in (result.raw_file, result.quarantine_file):
            if f is not None:
                f.unlink()
    return "loaded"


def _check_loaded(con, ds: contract.Dataset, case: Case, rel: str, result, loaded_at) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_skipped
    if case.rows is not None:
        assert result.rows_read == case.rows, (result.rows_read, case.rows)
    if case.controls is not None:
        assert result.control_characters == case.controls
    if result.layout == "contract":
        assert result.rows_skipped == 0
    raw = con.execute(f"select * from read_parquet('{result.raw_file}')")
    columns = [d[0] for d in raw.description]
    rows = [dict(zip(columns, r, strict=True)) for r in raw.fetchall()]
    assert len(rows) == result.rows_loaded
    assert set(columns) <= {n for n, _ in raw_columns(ds)}, columns
    latest = (loaded_at + timedelta(hours=contract.EVENT_TIME_SLACK_HOURS)).replace(tzinfo=None)
    free = [c.name for c in ds.columns if c.pii == contract.PII_REDACT]
    for row in rows:
        for c in ds.columns:
            v = row.get(c.name)
            if v is None:
                continue
            if isinstance(v, str):
                assert not _CONTROL.search(v), (c.name, v)
                assert len(v) <= contract.MAX_CELL_CHARS
            if c.type == contract.ID and not c.pii:
                assert _ID.fullmatch(v), v
            if c.type == contract.DATETIME:
                assert datetime(2000, 1, 1) <= v < datetime(2100, 1, 1), v
                if c.name in contract.EVENT_TIMES:
                    assert v <= latest, v
        for name in free:
            if row.get(name):
                assert names_in(row[name], KNOWN_NAMES + case.names) == [], row[name]
                assert "@" not in row[name], row[name]
    if result.rows_quarantined == 0:
        assert result.quarantine_file is None
        return
    q = con.execute(f"select * from read_parquet('{result.quarantine_file}')")
    qcols = [d[0] for d in q.description]
    records = [dict(zip(qcols, r, strict=True)) for r in q.fetchall()]
    assert len({r["_row"] for r in records}) == result.rows_quarantined
    allowed = {c.name for c in ds.columns}
    for r in records:
        assert r["_file"] == rel and r["_row"] >= 1, r
        assert r["reason"], r
        plain(r["reason"])
        if result.layout == "contract":  # a row of the wrong width is wrong as a whole
            assert r["column"] in allowed or "fields; the header has" in r["reason"], r
        if r["row_json"] is not None:
            stored = json.loads(r["row_json"])
            assert set(stored) <= allowed, stored
            for name in free:
                if stored.get(name):
                    assert names_in(stored[name], KNOWN_NAMES + case.names) == [], stored
