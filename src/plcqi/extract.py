"""Check one landing file against the input contract and split it into raw and quarantine.

The file is parsed once by Arrow's multithreaded CSV reader as text, then a single DuckDB
query types every column, evaluates every rule of the contract for every row at once and
pseudonymizes people; nothing loops over rows in Python (except the slow path for files
with ragged rows, which Arrow cannot number).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from plcqi import contract
from plcqi.rawzone import DUCKDB_TYPES, EMPTY_STEM, Zone, atomic_path, raw_name, stamp

_BOM = b"\xef\xbb\xbf"
_BOOL_TRUE = ("true", "yes", "1", "y")
_BOOL_FALSE = ("false", "no", "0", "n")
_DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATETIME_RE = (
    _DATE_RE + r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)
# Free text loses e-mail addresses and phone numbers on the way in (INPUTS.md "Personal data").
EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_RE = r"(\+?1[ .-]?)?\(?[0-9]{3}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}"
# Extra columns named like personal data are keyed like e-mails rather than kept as text.
_PII_NAME_RE = re.compile(r"e-?mail|name|phone")
_LINEAGE_NAMES = {"_file", "_row", "_file_hash", "_loaded_at", "participant_key", "email_key"}


class FileRejected(Exception):
    """The file as a whole cannot be read as the contract; the message says why."""


@dataclass
class FileResult:
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    unexpected_columns: list[str] = field(default_factory=list)
    raw_file: Path | None = None
    quarantine_file: Path | None = None


def q(name: str) -> str:
    """A quoted SQL identifier.

    >>> q('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A SQL string literal.

    >>> lit("it's")
    "'it''s'"
    """
    return "'" + text.replace("'", "''") + "'"


# --- reading ---------------------------------------------------------------------------


@dataclass
class Parsed:
    names: list[str]  # normalized header
    table: pa.Table  # every column as text, plus _row
    ragged: list[tuple[int, str]]  # (row, reason) for rows Arrow could not split


def read_text_csv(path: Path, rel: str, ds: contract.Dataset) -> Parsed:
    """Parse a landing file as UTF-8 CSV with every cell as text, or reject it whole."""
    data = path.read_bytes()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if not data.strip():
        raise FileRejected(f"{rel}: the file is empty (no header row)")
    # The header is the first record; Arrow checks the rest is UTF-8 as it converts it.
    head = _decode(data[: data.find(b"\n") + 1 or len(data)], rel)
    header = next(csv.reader(io.StringIO(head)))
    names = [h.strip().lower() for h in header]
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FileRejected(f"{rel}: the header repeats column(s) {', '.join(dupes)}")
    missing = [c for c in ds.required if c not in names]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise FileRejected(
            f"{rel}: missing required column{plural} {', '.join(missing)} "
            f"({ds.name} files need {', '.join(ds.required)}; this one has {', '.join(names)})"
        )

    invalid: list = []

    def on_invalid(row) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as e:
        _decode(data, rel)  # names the offending byte when the file is not UTF-8
        raise FileRejected(f"{rel}: not a readable CSV file ({e})") from None
    if not invalid:
        rows = pa.array(range(1, table.num_rows + 1), type=pa.int64())
        return Parsed(names, table.append_column("_row", rows), [])
    return _read_ragged(_decode(data, rel), names)


def _decode(data: bytes, rel: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FileRejected(
            f"{rel}: not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start}); "
            "export the file as UTF-8 CSV"
        ) from None


def _read_ragged(text: str, names: list[str]) -> Parsed:
    """Slow path for files with rows of the wrong width: number every record exactly."""
    columns: list[list[str]] = [[] for _ in names]
    numbers, ragged = [], []
    records = (r for r in csv.reader(io.StringIO(text)) if r)
    next(records)
    for i, record in enumerate(records, start=1):
        if len(record) != len(names):
            ragged.append((i, f"row has {len(record)} fields; the header has {len(names)}"))
            continue
        numbers.append(i)
        for col, value in zip(columns, record, strict=True):
            col.append(value)
    arrays = [pa.array(c, type=pa.string()) for c in columns] + [pa.array(numbers, pa.int64())]
    return Parsed(names, pa.table(arrays, names=[*names, "_row"]), ragged)


# --- the checks, as SQL ------------------------------------------------------------------


def _typed(c: contract.Column, s: str) -> str:
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


def _value(c: contract.Column, s: str) -> str:
    """The cell as it may be shown: personal data only as its key."""
    if c.pii == contract.PII_DROP:
        return "null"
    if c.pii in (contract.PII_KEY, contract.PII_EMAIL):
        return q(c.name + "__k")  # computed once per row in the typed CTE
    if c.pii == contract.PII_REDACT:
        return redact_sql(s)
    return s


def _key_sql(c: contract.Column) -> str | None:
    """SQL of a personal-data column's keyed hash (over its trimmed text), or None."""
    s = q(c.name + "__s")
    if c.pii == contract.PII_KEY:
        return f"plcqi_hmac({s})"
    if c.pii == contract.PII_EMAIL:
        return f"plcqi_hmac(lower({s}))"
    return None


def redact_sql(s: str) -> str:
    """SQL replacing e-mail addresses and phone numbers in the text ``s``."""
    emails = f"regexp_replace({s}, {lit(EMAIL_RE)}, '[email removed]', 'g')"
    return f"regexp_replace({emails}, {lit(PHONE_RE)}, '[phone removed]', 'g')"


def _drift_value(name: str) -> str:
    """An extra column's value as stored: keyed when its name says personal data, else
    redacted free text."""
    col = q(_drift_name(name))
    if _PII_NAME_RE.search(name):
        return f"plcqi_hmac(lower({col}))"
    return redact_sql(col)


def _drift_output(name: str) -> str:
    suffix = "_key" if _PII_NAME_RE.search(name) else ""
    return q(_drift_name(name) + suffix)


def _ref_table(dataset: str, column: str) -> str:
    return "ref__" + (dataset + "__" + column).replace("/", "__")


def _rules(
    ds: contract.Dataset, present: set[str], ref_tables: dict[tuple, str]
) -> list[tuple[str, str, str]]:
    """(column, SQL reason or null, SQL value) for every rule of the contract.

    Evaluated over ``typed``, which has ``<col>`` typed and ``<col>__s`` as trimmed text.
    """
    rules = []
    has_participant = "participant_id" in {c.name for c in ds.columns}
    for c in ds.columns:
        s, t, v = q(c.name + "__s"), q(c.name), _value(c, q(c.name + "__s"))
        if c.required:
            rules.append((c.name, f"case when {s} is null then 'required value is empty' end", v))
        if c.name not in present:
            continue
        if c.type not in (contract.ID, contract.TEXT):
            reason = (
                f"case when {s} is not null and {t} is null "
                f"then '''' || {s} || ''' ' || {lit(_expected(c))} end"
            )
            if c.pii:
                reason = f"case when {s} is not null and {t} is null then {lit(_expected(c))} end"
            rules.append((c.name, reason, v))
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
                _value(c, q(column + "__s")),
            )
        )
    return rules


# --- the whole file ----------------------------------------------------------------------


def reference_sets(con, zone: Zone, ds: contract.Dataset, rel: str) -> dict[tuple, str]:
    """Load the key sets this dataset's references are checked against, from the latest
    raw snapshot of each referenced dataset; reject the file if one was never loaded.

    Returns the temporary table holding each (dataset, column)'s keys. A table is named
    after its snapshot, so the files of one run share it and a newer snapshot gets its own.
    """
    tables: dict[tuple, str] = {}
    for c in ds.columns:
        if not c.references:
            continue
        ref_ds, ref_col = c.references
        latest = zone.latest_raw(ref_ds)
        if latest is None:
            raise FileRejected(
                f"{rel}: {ref_ds} has not been loaded yet, so {c.name} cannot be checked: "
                "ingest the reference source first"
            )
        table = _ref_table(ref_ds, ref_col) + "__" + latest.stem.rsplit("__", 1)[-1]
        tables[c.references] = table
        ((exists,),) = con.execute(
            "select count(*) from duckdb_tables() where temporary and table_name = ?", [table]
        ).fetchall()
        if exists:
            continue
        ref_column = raw_name(contract.dataset(ref_ds).column(ref_col))
        con.execute(
            f"create or replace temp table {table} as "
            f"select distinct {q(ref_column)} as k from read_parquet({lit(str(latest))}) "
            f"where {q(ref_column)} is not null"
        )
    return tables


def extract_file(
    con,
    zone: Zone,
    ds: contract.Dataset,
    path: Path,
    rel: str,
    digest: str,
    loaded_at: datetime,
) -> FileResult:
    """Check ``path`` and write its good rows to the raw zone and its bad rows to quarantine.

    ``con`` is an in-memory DuckDB connection with ``plcqi_hmac`` installed. Raises
    FileRejected when the file as a whole breaks the contract; then nothing is written.
    """
    parsed = read_text_csv(path, rel, ds)
    ref_tables = reference_sets(con, zone, ds, rel)
    contract_names = {c.name for c in ds.columns}
    present = set(parsed.names) & contract_names
    drift = [n for n in parsed.names if n not in contract_names]
    con.register("src", parsed.table)

    trimmed = [
        f"nullif(trim({q(c.name)}), '') as {q(c.name + '__s')}"
        if c.name in present
        else f"null::varchar as {q(c.name + '__s')}"
        for c in ds.columns
    ]
    typed = [f"{_typed(c, q(c.name + '__s'))} as {q(c.name)}" for c in ds.columns]
    typed += [f"{_key_sql(c)} as {q(c.name + '__k')}" for c in ds.columns if _key_sql(c)]
    drift_cols = [f"nullif(trim({q(n)}), '') as {q(_drift_name(n))}" for n in drift]
    rules = _rules(ds, present, ref_tables)
    errors = ", ".join(
        f"{{'column': {lit(col)}, 'reason': {reason}, 'value': ({value})::varchar}}"
        for col, reason, value in rules
    )
    row_json = (
        "json_object("
        + ", ".join(f"{lit(c.name)}, {_value(c, q(c.name + '__s'))}" for c in ds.columns)
        + "".join(f", {lit(n)}, {_drift_value(n)}" for n in drift)
        + ")"
    )
    dup_join, dup_rule = _duplicate_sql(ds, _earlier_raw_files(zone, ds))
    # Only a flag for every row; reasons and the row as JSON are built for bad rows alone.
    any_reason = " or ".join(f"({reason}) is not null" for _, reason, _ in rules)
    if dup_rule:
        any_reason += " or _dup_of is not null or _dup_file is not null"

    con.execute(
        f"""
        create or replace temp table checked as
        with trimmed as (select _row, {", ".join(trimmed + drift_cols)} from src),
        typed as (select *, {", ".join(typed)} from trimmed),
        {dup_join}
        select *, ({any_reason}) as _bad
        from with_dups
        """
    )
    con.unregister("src")

    stem = f"{stamp(loaded_at)}__{digest[:16]}"
    lineage = (
        f"{lit(rel)} as _file, _row, {lit(digest)} as _file_hash, "
        f"{lit(loaded_at.strftime('%Y-%m-%d %H:%M:%S.%f'))}::timestamp as _loaded_at"
    )
    out_cols = []
    for c in ds.columns:
        name = raw_name(c)
        if name is not None:
            out_cols.append(f"{_value(c, q(c.name))} as {q(name)}")
    out_cols += [f"{_drift_value(n)} as {_drift_output(n)}" for n in drift]

    raw_file = zone.raw(ds.name) / f"{stem}.parquet"
    with atomic_path(raw_file) as tmp:
        con.execute(
            f"copy (select {', '.join(out_cols)}, {lineage} from checked "
            f"where not _bad order by _row) to {lit(str(tmp))} (format parquet)"
        )

    ragged_sql = ""
    if parsed.ragged:
        con.register(
            "ragged",
            pa.table(
                {"_row": [r for r, _ in parsed.ragged], "reason": [m for _, m in parsed.ragged]}
            ),
        )
        ragged_sql = (
            f" union all select {lit(rel)}, _row, null, reason, null, null, {lit(digest)}, "
            f"{lit(loaded_at.strftime('%Y-%m-%d %H:%M:%S.%f'))}::timestamp from ragged"
        )
    (counts,) = con.execute(
        "select count(*), count(*) filter (where not _bad) from checked"
    ).fetchall()
    rows_read = counts[0] + len(parsed.ragged)
    rows_loaded = counts[1]
    quarantine_file = None
    if rows_read > rows_loaded:
        quarantine_file = zone.quarantine(ds.name) / f"{stem}.parquet"
        with atomic_path(quarantine_file) as tmp:
            con.execute(
                f"""copy (
                    select {lit(rel)} as _file, _row, e.column as column, e.reason as reason,
                        e.value as value, _row_json as row_json, {lit(digest)} as _file_hash,
                        {lit(loaded_at.strftime("%Y-%m-%d %H:%M:%S.%f"))}::timestamp as _loaded_at
                    from (
                        select _row, {row_json}::varchar as _row_json, unnest(list_filter(
                            [{errors}{dup_rule}], lambda e: e.reason is not null)) as e
                        from checked where _bad
                    )
                    {ragged_sql}
                    order by 2, 3
                ) to {lit(str(tmp))} (format parquet)"""
            )
        if parsed.ragged:
            con.unregister("ragged")
    con.execute("drop table checked")
    return FileResult(
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_read - rows_loaded,
        unexpected_columns=drift,
        raw_file=raw_file,
        quarantine_file=quarantine_file,
    )


def _drift_name(name: str) -> str:
    """Extra columns keep their name unless it would collide with one the zone adds."""
    return f"extra_{name}" if name in _LINEAGE_NAMES else name


def _earlier_raw_files(zone: Zone, ds: contract.Dataset) -> list[Path]:
    """The raw files a keyed event dataset already holds; a new row's key is checked against
    them. Reference snapshots have none: their latest file replaces the earlier ones."""
    if not ds.key or ds.source == "reference":
        return []
    return sorted(p for p in zone.raw(ds.name).glob("*.parquet") if p.stem != EMPTY_STEM)


def _duplicate_sql(ds: contract.Dataset, earlier: list[Path] = ()) -> tuple[str, str]:
    """CTE ``with_dups`` marking rows whose key repeats an earlier row with other content.

    The earlier row is the first one loaded from the ``earlier`` raw files with that key
    (``_dup_file``, ``_dup_file_row``), else the first row of this file (``_dup_of``). Against
    the raw files, content is compared as stored: the raw columns' values on both sides.
    """
    if not ds.key:
        return (
            "with_dups as (select *, null::bigint as _dup_of, null::varchar as _dup_file, "
            "null::bigint as _dup_file_row from typed)",
            "",
        )
    keys = ", ".join(q(k) for k in ds.key)
    # Compared as typed values: "Initial" and "initial", or one instant written two ways, agree.
    content = "md5(row(" + ", ".join(q(c.name) for c in ds.columns) + ")::varchar)"
    not_null = " and ".join(f"{q(k)} is not null" for k in ds.key)
    if earlier:
        stored = [
            (c, raw_name(c), "VARCHAR" if c.pii else DUCKDB_TYPES[c.type])
            for c in ds.columns
            if raw_name(c) is not None
        ]
        out = (
            "md5(row("
            + ", ".join(f"cast({_value(c, q(c.name))} as {t})" for c, _, t in stored)
            + ")::varchar)"
        )
        prev = "md5(row(" + ", ".join(f"cast({q(n)} as {t})" for _, n, t in stored) + ")::varchar)"
        key_out = {k: _value(ds.column(k), q(k)) for k in ds.key}
        key_raw = {k: q(raw_name(ds.column(k))) for k in ds.key}
        files = "[" + ", ".join(lit(str(f)) for f in earlier) + "]"
        out_col = f", {out} as _out_content"
        match = " and ".join(f"r.{key_raw[k]} = t.{q('_k_' + k)}" for k in ds.key)
        earlier_cte = f"""
        this_keys as (
            select distinct {", ".join(f"{key_out[k]} as {q('_k_' + k)}" for k in ds.key)}
            from typed
        ),
        earlier as (
            select {", ".join(f"{key_raw[k]} as {q('_k_' + k)}" for k in ds.key)},
                _file as _prev_file, _row as _prev_row, {prev} as _prev_content
            from read_parquet({files}, union_by_name = true) as r
            semi join this_keys t on {match}
            qualify row_number() over (
                partition by {", ".join(key_raw[k] for k in ds.key)}
                order by _loaded_at, _file, _row
            ) = 1
        ),"""
        join = "left join earlier e on " + " and ".join(
            f"{key_out[k]} = e.{q('_k_' + k)}" for k in ds.key
        )
        prev_cols = (
            "case when e._prev_content <> _out_content then e._prev_file end as _dup_file, "
            "case when e._prev_content <> _out_content then e._prev_row end as _dup_file_row,"
        )
        within = f"e._prev_content is null and {not_null}"
        drop = ", _out_content"
    else:
        out_col = earlier_cte = join = drop = ""
        prev_cols = "null::varchar as _dup_file, null::bigint as _dup_file_row,"
        within = not_null
    cte = f"""
        keyed as (
            select *, {content} as _content,
                first_value({content}) over w as _first_content,
                first_value(_row) over w as _first_row{out_col}
            from typed
            window w as (partition by {keys} order by _row)
        ),{earlier_cte}
        with_dups as (
            select keyed.* exclude (_content, _first_content, _first_row{drop}),
                {prev_cols}
                case when {within} and _content <> _first_content then _first_row end as _dup_of
            from keyed {join}
        )"""
    first = ds.key[0]
    key_text = " + ".join(ds.key)
    value = _value(ds.column(first), q(first + "__s"))
    rule = (
        f", {{'column': {lit(first)}, 'reason': case when _dup_of is not null then "
        f"{lit(f'duplicate {key_text} with content different from row ')} || _dup_of::varchar "
        f"|| ' (the first row wins)' end, 'value': ({value})::varchar}}"
        f", {{'column': {lit(first)}, 'reason': case when _dup_file is not null then "
        f"{lit(f'duplicate {key_text} with content different from ')} || _dup_file "
        f"|| ' row ' || _dup_file_row::varchar || ', loaded earlier (the first row wins)' end, "
        f"'value': ({value})::varchar}}"
    )
    return cte, rule
