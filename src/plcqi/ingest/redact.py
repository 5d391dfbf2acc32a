"""Personal data out of free text at ingestion (INPUTS.md "Personal data"): e-mail addresses,
phone numbers and the full names of known participants, so that none reaches the raw zone.

``free_text`` does all three, in that order (an address such as ``ada.lovelace@…`` is one
address, not a name), over a whole column at once, as the file is read: everything after it
(checks, quarantine, raw files) only ever sees the redacted text.

The names are the ``full_name`` column of the landing participants file
(``landing/reference/participants.csv``) and the people a file itself names: a native
export's name columns (Zoom's ``User Name``, Qualtrics' ``RecipientFirstName`` and
``RecipientLastName``, SurveyMonkey's ``First Name`` and ``Last Name``, …) or a name column a
contract CSV carries beside its contract columns. Each full name is looked for as
``First [Middle] Last``, ``Last, First [Middle]`` and, for names of three words or more, as
``First Last`` and ``Last, First``: whole words, in any case, whatever spaces or punctuation
stand between the words. Every occurrence becomes ``[name removed]``.

Looking thousands of names up in every comment is done as data, not as one huge regular
expression (RE2 gives up on those, and a backtracking engine tries every name at every
character): Arrow splits every text into lower-case words at once, keeps the positions where
a name's first word stands, and looks the word sequences starting there up in the set of
known names. Only the texts that do hold a name are then rewritten, each with a pattern of
just the names it holds.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from plcqi.ingest import contract
from plcqi.ingest.rawzone import Zone
from plcqi.ingest.read import FileRejected, decode

REPLACEMENT = "[name removed]"
# Free text loses e-mail addresses and phone numbers first (RE2 syntax, run by Arrow).
EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_RE = r"(\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}"
MAX_WORDS = 5  # longer "names" are not names
# A word is a run of letters and digits (Arrow and Python agree on it: \pL\pN = isalnum).
_WORD = re.compile(r"[^\W_]+")
_SPLIT = r"[^\pL\pN,]+"  # Arrow: what stands between words (a comma is a word of its own)
_GAP = r"(?:[^\w,]|_)+"  # Python: the same gap in a text being rewritten
_COMMA = r"(?:[^\w,]|_)*,(?:[^\w,]|_)*"

# Headings of native and contract columns that hold people's names (compared lower-case).
FULL_NAME_HEADINGS = frozenset(
    {
        "name",
        "full name",
        "full_name",
        "fullname",
        "user name",
        "username",
        "name (original name)",
        "user name (original name)",
        "attendee",
        "attendee name",
        "participant name",
        "respondent name",
        "recipient name",
        "recipientname",
    }
)
FIRST_NAME_HEADINGS = frozenset(
    {"first name", "first_name", "firstname", "recipientfirstname", "given name"}
)
LAST_NAME_HEADINGS = frozenset(
    {"last name", "last_name", "lastname", "recipientlastname", "surname", "family name"}
)


def words(text: str) -> list[str]:
    """The lower-case words of a name (a ``Last, First`` name turned round).

    >>> words("Lovelace, Ada King"), words("  José  Núñez-Smith ")
    (['ada', 'king', 'lovelace'], ['josé', 'núñez', 'smith'])
    """
    text = unicodedata.normalize("NFC", text).lower()
    if "," in text:
        last, first = text.split(",", 1)
        text = f"{first} {last}"
    return _WORD.findall(text)


def forms(full_name: str) -> list[tuple[str, ...]]:
    """The word sequences a full name is written as; none for a single word (a first name
    alone is not a full name, and would take ordinary words with it).

    >>> forms("Ada King Lovelace")  # doctest: +NORMALIZE_WHITESPACE
    [('ada', 'king', 'lovelace'), ('lovelace', ',', 'ada', 'king'), ('ada', 'lovelace'),
     ('lovelace', ',', 'ada')]
    >>> forms("Cher")
    []
    """
    w = words(full_name)
    if not 2 <= len(w) <= MAX_WORDS:
        return []
    out = [tuple(w), (w[-1], ",", *w[:-1])]
    if len(w) > 2:
        out += [(w[0], w[-1]), (w[-1], ",", w[0])]
    return out


def display_names(value: str) -> list[str]:
    """The names in a cell such as Zoom's ``Name (Original Name)``: both of them.

    >>> display_names("Ada L (Ada Lovelace)")
    ['Ada L', 'Ada Lovelace']
    """
    return [p.strip() for p in re.split(r"[()]", value) if p.strip()]


@dataclass(frozen=True)
class Names:
    """The known full names, as the word sequences to look for."""

    forms: frozenset[str]  # words joined by one space
    starts: frozenset[str]  # every form's first word
    longest: int

    @classmethod
    def of(cls, full_names: Iterable[str]) -> Names:
        found = {f for name in full_names for part in display_names(name) for f in forms(part)}
        return cls(
            frozenset(" ".join(f) for f in found),
            frozenset(f[0] for f in found),
            max((len(f) for f in found), default=0),
        )

    def __or__(self, other: Names) -> Names:
        """The names of both (``Names.of(a) | Names.of(b)`` is ``Names.of([*a, *b])``)."""
        return Names(
            self.forms | other.forms, self.starts | other.starts, max(self.longest, other.longest)
        )

    def __bool__(self) -> bool:
        return bool(self.forms)

    def found(self, texts: pa.Array) -> dict[int, set[str]]:
        """For each text holding a name: its index and the names (forms) it holds."""
        texts = pc.utf8_normalize(texts, "NFC")
        tokens = pc.split_pattern_regex(
            pc.utf8_lower(pc.replace_substring(texts, ",", " , ")), _SPLIT
        )
        flat = pc.list_flatten(tokens)
        parent = pc.list_parent_indices(tokens)
        size = len(flat)
        starts = pc.indices_nonzero(pc.is_in(flat, value_set=pa.array(sorted(self.starts))))
        known = pa.array(sorted(self.forms))
        out: dict[int, set[str]] = {}
        for n in range(2, self.longest + 1):
            at = starts.filter(pc.less(starts, size - n + 1))
            if len(at) == 0:
                break
            last = pc.add(at, n - 1)
            grams = pc.binary_join_element_wise(*(flat.take(pc.add(at, k)) for k in range(n)), " ")
            hit = pc.and_(
                pc.equal(parent.take(at), parent.take(last)), pc.is_in(grams, value_set=known)
            )
            rows = parent.take(at).filter(hit).to_pylist()
            for row, gram in zip(rows, grams.filter(hit).to_pylist(), strict=True):
                out.setdefault(row, set()).add(gram)
        return out

    def redact(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        """``values`` (text) with every known name replaced by ``REPLACEMENT``."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not self or len(values) == 0:
            return values
        hits = self.found(values)
        if not hits:
            return values
        rows = sorted(hits)
        rewritten = [
            _rewrite(unicodedata.normalize("NFC", values[i].as_py()), frozenset(hits[i]))
            for i in rows
        ]
        mask = pc.is_in(pa.array(range(len(values))), value_set=pa.array(rows))
        return pc.replace_with_mask(values, mask, pa.array(rewritten, pa.string()))


def free_text(values: pa.Array | pa.ChunkedArray, names: Names) -> pa.Array:
    """``values`` without e-mail addresses, phone numbers and the ``names``.

    >>> free_text(pa.array(["Mail ada.lovelace@example.org or Ada  Lovelace, 555-123-4567"]),
    ...           Names.of(["Ada Lovelace"])).to_pylist()
    ['Mail [email removed] or [name removed], [phone removed]']
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = pc.replace_substring_regex(values, EMAIL_RE, "[email removed]")
    values = pc.replace_substring_regex(values, PHONE_RE, "[phone removed]")
    return names.redact(values)


def _rewrite(text: str, found: frozenset[str]) -> str:
    return _pattern(found).sub(REPLACEMENT, text)


@lru_cache(maxsize=4096)
def _pattern(found: frozenset[str]) -> re.Pattern:
    """The names of one text as a pattern: whole words, any case, any gap between words."""

    def one(form: str) -> str:
        out = ""
        for i, word in enumerate(form.split(" ")):
            if word == ",":
                out += _COMMA
                continue
            if i and not out.endswith(_COMMA):
                out += _GAP
            out += re.escape(word)
        return out

    alternatives = sorted((one(f) for f in found), key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])", re.I)


def name_columns(headings: list[str]) -> tuple[list[int], int | None, int | None]:
    """Where a header holds people's names: its full-name columns, and its first-name and
    last-name columns (None when absent)."""
    low = [" ".join(h.strip().lower().split()) for h in headings]
    full = [i for i, h in enumerate(low) if h in FULL_NAME_HEADINGS]
    first = next((i for i, h in enumerate(low) if h in FIRST_NAME_HEADINGS), None)
    last = next((i for i, h in enumerate(low) if h in LAST_NAME_HEADINGS), None)
    return full, first, last


def people_in(headings: list[str], rows: Iterable[list[str]]) -> list[str]:
    """The full names a file's rows give in their name columns.

    >>> people_in(["First Name", "Last Name", "Q1"], [["Ada", "Lovelace", "x"], ["", "", "y"]])
    ['Ada Lovelace']
    """
    full, first, last = name_columns(headings)
    if not full and (first is None or last is None):
        return []

    def at(cells: list[str], i: int | None) -> str:
        return cells[i].strip() if i is not None and i < len(cells) else ""

    out: set[str] = set()
    for cells in rows:
        out.update(v for v in (at(cells, i) for i in full) if v)
        if first is not None and last is not None:
            name = f"{at(cells, first)} {at(cells, last)}".strip()
            if name:
                out.add(name)
    return sorted(out)


def people_in_table(table: pa.Table, columns: list[str]) -> list[str]:
    """The full names in the name columns (among ``columns``) of a parsed contract CSV."""
    full, first, last = name_columns(columns)
    out = set()
    for i in full:
        out.update(v for v in pc.unique(table[columns[i]]).to_pylist() if v and v.strip())
    if first is not None and last is not None:
        joined = pc.binary_join_element_wise(table[columns[first]], table[columns[last]], " ")
        out.update(v for v in pc.unique(joined).to_pylist() if v and v.strip())
    return sorted(out)


def known_participants(zone: Zone) -> list[str]:
    """The full names in the landing participants file(s) (read leniently: a file rejected
    for another reason still gives the names it holds)."""
    names: list[str] = []
    for path in _participants_files(zone):
        names += _full_names(*path)
    return names


def known_names(zone: Zone) -> Names:
    """:class:`Names` of :func:`known_participants`, made once per version of the landing
    participants file(s)."""
    return _names_of(tuple(_participants_files(zone)))


def _participants_files(zone: Zone) -> list[tuple[str, int, int]]:
    ds = contract.dataset("reference/participants")
    found = []
    for path in sorted(zone.landing.glob(ds.landing)):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return found


@lru_cache(maxsize=4)
def _names_of(files: tuple[tuple[str, int, int], ...]) -> Names:
    return Names.of([name for f in files for name in _full_names(*f)])


@lru_cache(maxsize=16)
def _full_names(path: str, mtime_ns: int, size: int) -> list[str]:
    data = Path(path).read_bytes()
    try:
        text = decode(data, path)
    except FileRejected:
        text = data.decode("utf-8", "replace")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(rows, [])]
    if "full_name" not in header:
        return []
    at = header.index("full_name")
    return [r[at].strip() for r in rows if len(r) > at and r[at].strip()]
