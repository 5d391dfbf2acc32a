"""Personal-data scan: is any participant's name or e-mail address anywhere past ingestion?

``collect`` reads every landing file of a data folder and gathers the people in it: the
``full_name`` and ``email`` of ``landing/reference/participants*.csv`` and the name and e-mail
columns of the native exports (``Name (Original Name)``, ``User Name``, ``Full Name``,
``First Name`` + ``Last Name``, ``RecipientFirstName`` + ``RecipientLastName``...), plus every
e-mail address in any cell. ``scan`` then looks for them in everything the pipeline wrote:
the raw zone and quarantine (Parquet, every text column), the DuckDB warehouse (read-only,
every text column of every table), the reports (HTML, CSV, JSON, SVG..., the CSV downloads
embedded in the pages included), the quality results, dbt's logs and target folder, the
ingest log, the published history, and the Airflow task logs when their folder is given.

A name is matched as whole words, case-insensitively (so "Ada Lovelace" is found in
"ada lovelace," but not in "Adamson"); names of one word (or a word and an initial) are not
looked for: they would match ordinary words. Hits are printed by file with the names masked
(``A** L*******``), so the scan's own output names nobody.

    python -m plcqi.privacy DATA_DIR [--airflow-logs DIR]

exits 1 when anything is found.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import csv
import html
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plcqi import paths, sql
from plcqi.publish.safety import EMAIL_RE

# Column headings (compared trimmed and lower-case) that hold a person's whole name, and the
# pairs that hold first and last names, in the contract's CSVs and the native exports
# (shared/contract/SOURCES.md, plcqi.ingest.sources).
NAME_HEADINGS = frozenset(
    {
        "full_name",
        "full name",
        "name",
        "name (original name)",
        "user name",
        "username",
        "participant",
        "participant name",
        "attendee",
        "attendee name",
        "display name",
        "contact",
        "contact name",
        "respondent",
        "respondent name",
        "recipient name",
        "requester",
        "requester name",
        "requested by",
        "submitted by",
    }
)
FIRST_HEADINGS = frozenset(
    {
        "first_name",
        "first name",
        "firstname",
        "recipientfirstname",
        "recipient first name",
        "given name",
    }
)
LAST_HEADINGS = frozenset(
    {
        "last_name",
        "last name",
        "lastname",
        "recipientlastname",
        "recipient last name",
        "surname",
        "family name",
    }
)
# What is scanned, relative to the data folder (landing/ is the input: never scanned).
OUTPUTS = ("raw", "quarantine", "warehouse", "reports", "quality", "dbt", "ingest_log", "history")
_WORD_RE = re.compile(r"[^\W_]+")
_DATA_URI_RE = re.compile(r"data:[a-z/+.\-]+(?:;charset=[\w\-]+)?;base64,([A-Za-z0-9+/=]+)")
_PARENS_RE = re.compile(r"\(([^()]*)\)")
_BINARY_SUFFIXES = frozenset(
    {
        ".pdf",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".ico",
        ".woff2",
        ".gpickle",
        ".msgpack",
        ".pyc",
        ".lock",
        ".wal",
    }
)


def words(text: str) -> tuple[str, ...]:
    """The words of a text as matched: letters and digits, lower-case.

    >>> words("O'Brien-Smith, Ada  (she/her)")
    ('o', 'brien', 'smith', 'ada', 'she', 'her')
    """
    return tuple(_WORD_RE.findall(text.lower()))


def name_key(name: str) -> tuple[str, ...] | None:
    """The words a name is looked for by, or None when it is too short to look for (fewer
    than two words of two letters or more: a first name alone would match ordinary text).

    >>> name_key("Ada Lovelace"), name_key("Stephanie E."), name_key("Cher")
    (('ada', 'lovelace'), None, None)
    """
    key = words(name)
    return key if sum(len(w) >= 2 for w in key) >= 2 else None


def mask(text: str) -> str:
    """A found name or address shown without giving it away.

    >>> mask("Ada Lovelace"), mask("ada@example.org")
    ('A** L*******', 'a**@e******.o**')
    """
    return re.sub(r"[^\W_]+", lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)


@dataclass
class People:
    """The names and e-mail addresses of a data folder's landing files."""

    names: dict[tuple[str, ...], str] = field(default_factory=dict)  # key -> as written
    emails: set[str] = field(default_factory=set)  # lower-case
    files: int = 0
    short_names: int = 0  # one-word names, not looked for

    def add_name(self, text: str) -> None:
        text = " ".join((text or "").split())
        if not text or "@" in text:
            return
        parts = [text, _PARENS_RE.sub(" ", text)] + _PARENS_RE.findall(text)
        for part in parts:
            key = name_key(part)
            if key is None:
                self.short_names += bool(part.strip())
            else:
                self.names.setdefault(key, part.strip())

    def add_emails(self, text: str) -> None:
        self.emails.update(m.group(0).lower() for m in EMAIL_RE.finditer(text or ""))

    def __len__(self) -> int:
        return len(self.names) + len(self.emails)


def _decode(data: bytes) -> str | None:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _rows(path: Path) -> Iterator[list[str]]:
    """The rows of a landing file: CSV or tab-separated text (sectioned or ragged alike) or
    a spreadsheet's sheets."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    yield ["" if v is None else str(v) for v in row]
        finally:
            book.close()
        return
    text = _decode(path.read_bytes())
    if text is None:
        text = path.read_bytes().decode("latin-1")
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def collect(data_dir: Path | str) -> People:
    """Every participant name and e-mail address of ``DATA_DIR/landing/``."""
    people = People()
    landing = Path(data_dir) / "landing"
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix.lower() in _BINARY_SUFFIXES:
            continue
        people.files += 1
        names: list[int] = []
        firsts: list[tuple[int, int]] = []
        for row in _rows(path):
            heads = [" ".join(c.strip().lower().split()) for c in row]
            found = [i for i, h in enumerate(heads) if h in NAME_HEADINGS]
            first = [i for i, h in enumerate(heads) if h in FIRST_HEADINGS]
            last = [i for i, h in enumerate(heads) if h in LAST_HEADINGS]
            if found or (first and last):
                names, firsts = found, list(zip(first, last, strict=False))
                continue  # a heading row: the rows below it (to a blank row) are people
            if not any(c.strip() for c in row):
                names, firsts = [], []
                continue
            for cell in row:
                if "@" in cell:
                    people.add_emails(cell)
            for i in names:
                if i < len(row):
                    people.add_name(row[i])
            for i, j in firsts:
                if max(i, j) < len(row):
                    people.add_name(f"{row[i]} {row[j]}")
    return people


class Matcher:
    """Finds the people of a ``People`` in text: names as whole words, addresses as written."""

    def __init__(self, people: People):
        self.people = people
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for key in people.names:
            self.by_first.setdefault(key[0], []).append(key)

    def find(self, text: str) -> list[str]:
        """Every name (as written in the landing files) and address found in ``text``."""
        if not text:
            return []
        found = []
        if "@" in text:
            known = [m for m in EMAIL_RE.finditer(text) if m.group(0).lower() in self.people.emails]
            found += [m.group(0).lower() for m in known]
            for m in reversed(known):  # a known address is one hit, not its name too
                text = text[: m.start()] + " " + text[m.end() :]
        tokens = words(text)
        for i, token in enumerate(tokens):
            for key in self.by_first.get(token, ()):
                if tokens[i : i + len(key)] == key:
                    found.append(self.people.names[key])
        return found


@dataclass
class Hit:
    where: str  # a file relative to the data folder, with its column or table when there
    count: int  # matching values (rows of a table, occurrences in a text)
    found: Counter = field(default_factory=Counter)  # name or address -> occurrences

    def line(self) -> str:
        sample = ", ".join(mask(x) for x, _ in self.found.most_common(3))
        kinds = Counter("e-mail" if "@" in x else "name" for x in self.found.elements())
        what = ", ".join(f"{n} {k}(s)" for k, n in sorted(kinds.items()))
        return f"{self.where}: {self.count} hit(s) ({what}), e.g. {sample}"


@dataclass
class ScanResult:
    people: People
    hits: list[Hit] = field(default_factory=list)
    scanned: Counter = field(default_factory=Counter)  # kind -> files or tables read
    not_scanned: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(h.count for h in self.hits)


def _text_parts(path: Path, text: str) -> Iterator[tuple[str, str]]:
    """(label, text) to search in a text file: the text as a reader sees it (entities
    unescaped, JSON strings decoded) and each embedded base64 download, decoded."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            yield "", "\n".join(_strings(json.loads(text)))
            return
        except ValueError:
            pass
    if suffix in (".html", ".htm", ".svg", ".xml"):
        for n, m in enumerate(_DATA_URI_RE.finditer(text), 1):
            try:
                yield (
                    f" (embedded file {n})",
                    base64.b64decode(m.group(1)).decode("utf-8", errors="replace"),
                )
            except (binascii.Error, ValueError):
                continue
        text = html.unescape(_DATA_URI_RE.sub(" ", text))
    yield "", text


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


# Text values worth looking at: two words, or an '@' (keys, ids and numbers are neither).
_CANDIDATE = sql.literal(r"@|[[:alpha:]]{2,}[^[:alnum:]]+[[:alpha:]]{2,}")


def _text_columns(con, relation: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(f"describe {relation}").fetchall()
        if str(r[1]).upper() in ("VARCHAR", "JSON")
    ]


def _scan_relation(
    con, relation: str, label, matcher: Matcher, *, by_file: bool = False
) -> Iterator[Hit]:
    """Hits in the text columns of a relation; with ``by_file``, one per file of its
    ``filename`` column (``label`` then maps a file name to its label)."""
    hits: dict[tuple[str, str], Hit] = {}
    for col in _text_columns(con, relation):
        if by_file and col == "filename":
            continue
        group = "filename" if by_file else "''"
        values = con.execute(
            f"select {group}, {sql.ident(col)}, count(*) from {relation} "
            f"where regexp_matches({sql.ident(col)}, {_CANDIDATE}) group by all"
        ).fetchall()
        for file, value, n in values:
            found = matcher.find(value)
            if found:
                where = f"{label(file) if by_file else label} column {col}"
                hit = hits.setdefault((where, col), Hit(where, 0))
                hit.count += n
                hit.found.update({x: n for x in found})
    yield from hits.values()


def _scan_parquet(con, files: list[tuple[Path, str]], matcher: Matcher) -> Iterator[Hit]:
    """The Parquet files of one folder, read together (schemas merged by name)."""
    labels = {str(path): rel for path, rel in files}
    con.execute(
        "create or replace temp view scanned as select * from read_parquet("
        f"{sql.list_literal(labels)}, union_by_name = true, filename = true)"
    )
    yield from _scan_relation(con, "scanned", lambda f: labels.get(f, f), matcher, by_file=True)


def _scan_warehouse(path: Path, rel: str, matcher: Matcher) -> Iterator[Hit]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            yield from _scan_relation(
                con,
                f"{sql.ident(schema)}.{sql.ident(table)}",
                f"{rel} table {schema}.{table}",
                matcher,
            )
    finally:
        con.close()


def _files(roots: Iterable[tuple[Path, str]]) -> Iterator[tuple[Path, str]]:
    for root, prefix in roots:
        if root.is_file():
            yield root, prefix
        elif root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    yield p, f"{prefix}/{p.relative_to(root).as_posix()}"


def scan(
    data_dir: Path | str | None,
    *,
    airflow_logs: Path | str | None = None,
    people: People | None = None,
) -> ScanResult:
    """Look for the landing files' people in every output of ``data_dir`` (and in the
    Airflow task logs under ``airflow_logs``)."""
    data_dir = paths.data_dir(data_dir)
    people = people if people is not None else collect(data_dir)
    result = ScanResult(people)
    matcher = Matcher(people)
    roots = [(data_dir / part, part) for part in OUTPUTS]
    if airflow_logs:
        roots.append((Path(airflow_logs), "airflow-logs"))
    parquet: dict[Path, list[tuple[Path, str]]] = {}
    for path, rel in _files(roots):
        suffix = path.suffix.lower()
        try:
            if suffix == ".parquet":
                parquet.setdefault(path.parent, []).append((path, rel))
                continue
            if suffix == ".duckdb":
                result.scanned["warehouses"] += 1
                result.hits += list(_scan_warehouse(path, rel, matcher))
                continue
            if suffix in _BINARY_SUFFIXES or path.name.startswith("."):
                result.not_scanned.append(rel)
                continue
            text = _decode(path.read_bytes())
        except Exception as e:  # noqa: BLE001 - a file that cannot be read is named, not fatal
            result.not_scanned.append(f"{rel} ({type(e).__name__}: {e})")
            continue
        if text is None:
            result.not_scanned.append(rel)
            continue
        result.scanned["text files"] += 1
        for label, part in _text_parts(path, text):
            found = matcher.find(part)
            if found:
                result.hits.append(Hit(rel + label, len(found), Counter(found)))
    if parquet:
        import duckdb

        con = duckdb.connect()
        try:
            for _folder, files in sorted(parquet.items()):
                try:
                    result.hits += list(_scan_parquet(con, files, matcher))
                    result.scanned["parquet files"] += len(files)
                except duckdb.Error as e:
                    result.not_scanned += [f"{rel} ({e})" for _, rel in files]
        finally:
            con.close()
    return result


def report(result: ScanResult, echo=print) -> None:
    p = result.people
    echo(
        f"looked for {len(p.names)} name(s) and {len(p.emails)} e-mail address(es) from "
        f"{p.files} landing file(s) ({p.short_names} one-word name(s) not looked for)"
    )
    for hit in result.hits:
        echo(f"  {hit.line()}")
    scanned = ", ".join(f"{n} {k}" for k, n in sorted(result.scanned.items())) or "nothing"
    echo(f"{result.total} hit(s) in {len(result.hits)} place(s); scanned {scanned}")
    if result.not_scanned:
        shown = ", ".join(result.not_scanned[:5])
        more = f" and {len(result.not_scanned) - 5} more" if len(result.not_scanned) > 5 else ""
        echo(f"not scanned (binary or unreadable): {shown}{more}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plcqi.privacy",
        description="Look for the participants' names and e-mail addresses of DATA_DIR's "
        "landing files in everything the pipeline wrote; exit 1 if any is found.",
    )
    parser.add_argument(
        "data_dir", nargs="?", default=None, help="the data folder (default: PLCQI_DATA_DIR)"
    )
    parser.add_argument("--airflow-logs", default=None, help="Airflow's task log folder")
    args = parser.parse_args(argv)
    result = scan(args.data_dir, airflow_logs=args.airflow_logs)
    report(result)
    return 1 if result.total else 0


if __name__ == "__main__":
    sys.exit(main())
