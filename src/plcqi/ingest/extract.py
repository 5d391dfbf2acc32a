"""Check one landing file against the input contract and split it into raw and quarantine.

The file is decoded and parsed once (``plcqi.ingest.read``, Arrow for a contract CSV), its
free text rid of e-mails, phone numbers and names (``plcqi.ingest.redact``), then a single
DuckDB query types every column, evaluates every rule of the contract
(``plcqi.ingest.checks``) for every row at once and pseudonymizes people; nothing loops over
rows in Python (except the slow path for files with ragged rows, which Arrow cannot number).
Columns that are not the contract's are reported (``unexpected_columns``) and never loaded:
not in the raw file, not in quarantine.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from plcqi.files import atomic_path
from plcqi.ingest import contract, redact
from plcqi.ingest.checks import key_sql, rules, typed_sql, value_sql
from plcqi.ingest.duplicates import KeyIndex, duplicate_sql
from plcqi.ingest.rawzone import Zone, raw_name, stamp, table_name
from plcqi.ingest.read import FileRejected, Parsed, limit_cells, read_text_csv
from plcqi.ingest.sources import Adapted, Context, Session, Sessions, adapt, detect
from plcqi.sql import ident as q
from plcqi.sql import literal as lit

__all__ = ["FileRejected", "FileResult", "extract_file", "reference_sets"]


@dataclass
class FileResult:
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    unexpected_columns: list[str] = field(default_factory=list)
    rows_skipped: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    layout: str = "contract"
    unused_columns: list[str] = field(default_factory=list)
    raw_file: Path | None = None
    quarantine_file: Path | None = None
    control_characters: int = 0  # removed from the file's text values (INPUTS.md)


def _ref_table(dataset: str, column: str) -> str:
    return f"ref__{table_name(dataset)}__{column}"


def reference_sets(con, zone: Zone, ds: contract.Dataset, rel: str) -> dict[tuple, str]:
    """Load the key sets this dataset's references are checked against, from the latest
    raw snapshot of each referenced dataset; reject the file if one was never loaded.

    Returns the temporary table holding each (dataset, column)'s keys. A table is named
    after its snapshot, so the files of one run share it and a newer snapshot gets its own.
    """
    tables: dict[tuple, str] = {}
    existing: set[str] | None = None  # the connection's temporary tables, asked once
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
        if existing is None:
            existing = _temp_tables(con)
        if c.native_only:
            table = _email_map(con, latest, table, existing)
            tables[c.references] = table
            continue
        tables[c.references] = table
        if table in existing:
            continue
        ref_column = raw_name(contract.dataset(ref_ds).column(ref_col))
        con.execute(
            f"create or replace temp table {table} as "
            f"select distinct {q(ref_column)} as k from read_parquet({lit(str(latest))}) "
            f"where {q(ref_column)} is not null"
        )
        existing.add(table)
    return tables


# Per connection, the temporary tables reference_sets made in it (asked once: they stay until
# the connection closes).
_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _temp_tables(con) -> set[str]:
    found = _TABLES.get(con)
    if found is None:
        found = _TABLES[con] = {
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where temporary"
            ).fetchall()
        }
    return found


def _email_map(con, latest: Path, table: str, existing: set[str]) -> str:
    """The participants' keys by e-mail key, for a native export that names people by e-mail
    only (polls, surveys): the e-mail resolves to the participant, then is not stored."""
    table += "__map"
    if table not in existing:
        con.execute(
            f"create or replace temp table {table} as "
            f"select distinct email_key as k, participant_key as p "
            f"from read_parquet({lit(str(latest))}) where email_key is not null"
        )
        existing.add(table)
    return table


def load_sessions(con, zone: Zone) -> Sessions:
    """The latest sessions snapshot, for matching a meeting export to its session (shared
    between the files of a run: read it, never change it)."""
    latest = zone.latest_raw("reference/sessions")
    if latest is None:
        return Sessions()
    return _sessions_of(con, latest)


# The sessions of a snapshot file, by its path and (to be safe) its time and size: a
# snapshot file is written once, so the meeting exports of a run share one reading of it,
# and a newly ingested snapshot (another file) is read afresh.
_SESSIONS: dict[str, tuple[tuple[int, int], Sessions]] = {}


def _sessions_of(con, latest: Path) -> Sessions:
    st = latest.stat()
    key = (st.st_mtime_ns, st.st_size)
    cached = _SESSIONS.get(str(latest))
    if cached is not None and cached[0] == key:
        return cached[1]
    rel = con.sql(f"select * from read_parquet({lit(str(latest))})")
    mid = "platform_meeting_id" if "platform_meeting_id" in rel.columns else "null"
    rows = con.execute(
        f"select session_id, scheduled_start, {mid} from read_parquet({lit(str(latest))})"
    ).fetchall()
    from plcqi.ingest.sources.base import digits

    sessions = Sessions(
        Session(sid, start.replace(tzinfo=UTC), digits(meeting))
        for sid, start, meeting in rows
        if start is not None
    )
    _SESSIONS.clear()  # only the latest snapshot is asked for
    _SESSIONS[str(latest)] = (key, sessions)
    return sessions


def parse_landing(con, zone: Zone, ds: contract.Dataset, path: Path, rel: str) -> Parsed:
    """A landing file as text cells: a contract CSV as it is, a native export converted."""
    data = path.read_bytes()
    ctx = Context(ds, path, rel, zone.landing, lambda: load_sessions(con, zone))
    found = detect(data, rel, ds, ctx)
    if found.layout is None:
        parsed = read_text_csv(found.text, rel, ds)
        # the people a name column of the file names, before any row is set aside
        extra = [
            n for n in parsed.names if n not in {c.name for c in contract.contract_columns(ds)}
        ]
        parsed.people += redact.people_in_table(parsed.table, extra)
        parsed.people += redact.people_in(parsed.names, parsed.ragged_cells)
    else:
        if ds.name != "reference/sessions" and any(
            c.references == ("reference/sessions", "session_id") for c in ds.columns
        ):
            reference_sets(con, zone, ds, rel)  # the sessions must be loaded before matching
        parsed = from_adapted(adapt(found, ctx), ds)
    parsed.control_characters += found.control_characters
    loaded = [c.name for c in ds.columns if found.layout is not None or not c.native_only]
    return limit_cells(parsed, loaded)


def redact_free_text(zone: Zone, ds: contract.Dataset, parsed: Parsed) -> None:
    """Remove e-mail addresses, phone numbers and the names of known participants, and of the
    people the file itself names (``parsed.people``: a native export's name columns, or name
    columns among a contract CSV's extra ones), from its free-text columns (``PII_REDACT``)."""
    free = [c.name for c in ds.columns if c.pii == contract.PII_REDACT and c.name in parsed.names]
    if not free:
        return
    known = redact.known_names(zone) | redact.Names.of(parsed.people)
    for column in free:
        at = parsed.table.schema.get_field_index(column)
        parsed.table = parsed.table.set_column(
            at, column, redact.free_text(parsed.table[column], known)
        )


def from_adapted(adapted: Adapted, ds: contract.Dataset) -> Parsed:
    names = [c.name for c in ds.columns if any(r.get(c.name) is not None for r in adapted.rows)]
    for c in ds.required:
        if c not in names:
            names.append(c)
    columns = {n: pa.array([r.get(n) or "" for r in adapted.rows], pa.string()) for n in names}
    columns["_row"] = pa.array([r["_row"] for r in adapted.rows], pa.int64())
    return Parsed(
        names,
        pa.table(columns),
        list(adapted.rejected),
        skipped=list(adapted.skipped),
        layout=adapted.layout,
        unmapped=list(adapted.unmapped),
        people=list(adapted.people),
        control_characters=adapted.control_characters,
    )


def _short(reason: str, most: int = 500) -> str:
    """A reason as stored: one quoting a huge cell is cut (the cell is not kept)."""
    return reason if len(reason) <= most else reason[: most - 1] + "…"


def extract_file(
    con,
    zone: Zone,
    ds: contract.Dataset,
    path: Path,
    rel: str,
    digest: str,
    loaded_at: datetime,
    keys: KeyIndex | None = None,
) -> FileResult:
    """Check ``path`` and write its good rows to the raw zone and its bad rows to quarantine.

    ``con`` is an in-memory DuckDB connection with ``plcqi_hmac`` installed; ``keys``: the
    dataset's key index of this ingestion (:func:`plcqi.ingest.duplicates.key_index`), else
    one is read for this file alone. Raises FileRejected when the file as a whole breaks the
    contract; then nothing is written.
    """
    if keys is None:
        keys = KeyIndex(con, zone, ds)
        try:
            return extract_file(con, zone, ds, path, rel, digest, loaded_at, keys)
        finally:
            keys.close()
    parsed = parse_landing(con, zone, ds, path, rel)
    ref_tables = reference_sets(con, zone, ds, rel)
    native = parsed.layout != "contract"
    contract_names = {c.name for c in ds.columns if native or not c.native_only}
    present = set(parsed.names) & contract_names
    drift = [n for n in parsed.names if n not in contract_names]
    redact_free_text(zone, ds, parsed)
    # only the contract's columns go on: an unknown column may carry personal data
    con.register("src", parsed.table.select(["_row", *sorted(present)]))

    trimmed = [
        f"nullif(trim({q(c.name)}), '') as {q(c.name + '__s')}"
        if c.name in present
        else f"null::varchar as {q(c.name + '__s')}"
        for c in ds.columns
    ]
    typed = [f"{typed_sql(c, q(c.name + '__s'))} as {q(c.name)}" for c in ds.columns]
    typed += [f"{key_sql(c)} as {q(c.name + '__k')}" for c in ds.columns if key_sql(c)]
    checks = rules(ds, present, ref_tables, loaded_at)
    errors = ", ".join(
        f"{{'column': {lit(col)}, 'reason': {reason}, 'value': ({value})::varchar}}"
        for col, reason, value in checks
    )
    row_json = (
        "json_object("
        + ", ".join(f"{lit(c.name)}, {value_sql(c, q(c.name + '__s'))}" for c in ds.columns)
        + ")"
    )
    dup_join, dup_rule = duplicate_sql(ds, keys.earlier(rel) if ds.key else None)
    # Only a flag for every row; reasons and the row as JSON are built for bad rows alone.
    any_reason = " or ".join(f"({reason}) is not null" for _, reason, _ in checks)
    if dup_rule:
        any_reason += " or _dup_of is not null or _dup_file is not null"

    con.execute(
        f"""
        create or replace temp table checked as
        with trimmed as (select _row, {", ".join(trimmed)} from src),
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
    email_map = next((ref_tables[c.references] for c in ds.columns if c.native_only), None)
    for c in ds.columns:
        name = raw_name(c)
        if name is None:
            continue
        value = value_sql(c, q(c.name))
        if c.pii == contract.PII_KEY and email_map:  # a native export names people by e-mail
            value = f"coalesce({value}, (select p from {email_map} where k = {q('email__k')}))"
        out_cols.append(f"{value} as {q(name)}")

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
                {
                    "_row": [r for r, _, _ in parsed.ragged],
                    "column": pa.array([c for _, c, _ in parsed.ragged], pa.string()),
                    "reason": [_short(m) for _, _, m in parsed.ragged],
                }
            ),
        )
        ragged_sql = (
            f' union all select {lit(rel)}, _row, "column", reason, null, null, {lit(digest)}, '
            f"{lit(loaded_at.strftime('%Y-%m-%d %H:%M:%S.%f'))}::timestamp from ragged"
        )
    (counts,) = con.execute(
        "select count(*), count(*) filter (where not _bad) from checked"
    ).fetchall()
    rows_skipped = len(parsed.skipped)
    rows_read = counts[0] + len(parsed.ragged) + rows_skipped
    rows_loaded = counts[1]
    quarantine_file = None
    if rows_read > rows_loaded + rows_skipped:
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
    skipped: dict[str, int] = {}
    for _, reason in parsed.skipped:
        skipped[reason] = skipped.get(reason, 0) + 1
    return FileResult(
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_read - rows_loaded - rows_skipped,
        unexpected_columns=drift,
        rows_skipped=rows_skipped,
        skipped=skipped,
        layout=parsed.layout,
        unused_columns=parsed.unmapped,
        raw_file=raw_file,
        quarantine_file=quarantine_file,
        control_characters=parsed.control_characters,
    )
