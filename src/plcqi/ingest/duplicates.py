"""Duplicate keys: a row whose key repeats an earlier row with other content, in the same
file or (keyed event data) a current raw file of another landing file of the dataset, is
quarantined naming that row; exact duplicates load. A new version of a file is not checked
against the version it replaces.

The rows of the earlier raw files are looked up in the dataset's key index (:class:`KeyIndex`):
per raw row its key, lineage and stored content hash, so a new file is checked without reading
the raw files of the history again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from plcqi import sql
from plcqi.files import atomic_path, is_temporary
from plcqi.ingest import contract
from plcqi.ingest.checks import value_sql
from plcqi.ingest.rawzone import EMPTY_FILE, Zone, parquet_list, raw_name, raw_type, table_name
from plcqi.sql import ident as q
from plcqi.sql import literal as lit


def earlier_raw_files(zone: Zone, ds: contract.Dataset, rel: str | None = None) -> tuple[str, ...]:
    """The current raw files (relative to the data folder) a keyed event dataset already
    holds, but those of ``rel`` (the landing file being loaded, whose new version replaces its
    rows); a new row's key is checked against them. Reference snapshots have none: their
    latest file replaces the earlier ones."""
    if not ds.key or ds.source == "reference":
        return ()
    return zone.raw_names(ds.name, replacing=rel)


def _stored(ds: contract.Dataset) -> list[tuple[contract.Column, str, str]]:
    """(contract column, raw name, raw type) of the columns a raw file stores."""
    return [(c, raw_name(c), raw_type(c)) for c in ds.columns if raw_name(c) is not None]


def _key_name(k: str) -> str:
    return q("_k_" + k)


class KeyIndex:
    """The keys of a keyed event dataset's raw files, for the duplicate-key check: per raw
    row its key (``_k_<column>``), ``_file``, ``_row``, ``_loaded_at``, its content as stored
    (``_content``, the hash :func:`duplicate_sql` compares) and the raw file holding it
    (``_raw_file``, relative to the data folder), with one row per raw file, its keys null,
    naming the file and its time and size (``_sig``) even when it holds no row.

    A temporary table of the extraction connection while the dataset is ingested (under its
    lock), kept between runs in ``state/key_index/<table>.parquet``. Neither is a source of
    truth: the log is. Each lookup asks the log for the committed, current raw files
    (:func:`earlier_raw_files`), adds the ones the index does not hold yet (or whose time or
    size changed) from their raw files, and reads the index rows of exactly those files; a
    missing, unreadable or stale index file only costs reading raw files again. So a lookup
    reads the new raw files since the last one (just committed: one), never the history.
    """

    def __init__(self, con, zone: Zone, ds: contract.Dataset):
        self.con, self.zone, self.ds = con, zone, ds
        self.table = q(f"_key_index__{table_name(ds)}")
        self.files: dict[str, tuple[int, int]] | None = None  # indexed raw file -> (mtime, size)
        # The indexed files whose time and size this lookup's process has checked: a raw
        # file is never rewritten, and no other process writes the dataset while its lock is
        # held, so each is checked once per ingestion, not once per lookup.
        self.checked: set[str] = set()
        self.changed = False

    @property
    def path(self) -> Path:
        return self.zone.state / "key_index" / f"{table_name(self.ds)}.parquet"

    def _columns(self) -> list[tuple[str, str]]:
        cols = [("_k_" + k, raw_type(self.ds.column(k))) for k in self.ds.key]
        return cols + [
            ("_file", "VARCHAR"),
            ("_row", "BIGINT"),
            ("_loaded_at", "TIMESTAMP"),
            ("_content", "VARCHAR"),
            ("_raw_file", "VARCHAR"),
            ("_sig", "VARCHAR"),
        ]

    def _open(self) -> None:
        """Create the table, from the index file when it reads as this dataset's index."""
        cols = self._columns()
        self.con.execute(
            f"create or replace temp table {self.table} ("
            + ", ".join(f"{q(n)} {t}" for n, t in cols)
            + ")"
        )
        self.files, self.checked = {}, set()
        folder = self.path.parent
        if folder.is_dir():  # what an interrupted save left (we hold the dataset's lock)
            for p in folder.iterdir():
                if is_temporary(p) and p.name.startswith(f".{self.path.name}."):
                    p.unlink(missing_ok=True)
        if not self.path.exists():
            return
        names = ", ".join(q(n) for n, _ in cols)
        try:
            self.con.execute(
                f"insert into {self.table} select {names} from read_parquet({lit(str(self.path))})"
            )
            # rows of a file the index does not name (with its signature) are not trusted
            self.con.execute(
                f"delete from {self.table} where _raw_file is null or _raw_file not in "
                f"(select _raw_file from {self.table} where _row is null and _sig is not null)"
            )
            found = self.con.execute(
                f"select _raw_file, _sig from {self.table} where _row is null"
            ).fetchall()
        except Exception:  # noqa: BLE001 - an unreadable index is rebuilt from the raw files
            self.con.execute(f"delete from {self.table}")
            return
        self.files = {f: tuple(int(x) for x in sig.split(":")) for f, sig in found}

    def _add(self, files: list[tuple[str, tuple[int, int]]]) -> None:
        """Index the rows of these raw files (relative path, (mtime, size)), replacing what
        the index held of them."""
        ds = self.ds
        self.con.execute(
            f"delete from {self.table} where _raw_file in "
            f"(select unnest({parquet_list([f for f, _ in files])}))"
        )
        cast = ", ".join(f"cast({q(n)} as {t})" for _, n, t in _stored(ds))
        prev = f"md5(row({cast})::varchar)"
        keys = {k: q(raw_name(ds.column(k))) for k in ds.key}
        not_null = " and ".join(f"{keys[k]} is not null" for k in ds.key)
        prefix = len(str(self.zone.root)) + 2
        paths = [self.zone.root / f for f, _ in files]
        schema = self.zone.raw(ds.name) / EMPTY_FILE  # every raw column, even if no file has it
        read = paths + ([schema] if schema.exists() else [])
        self.con.execute(
            f"""insert into {self.table}
            select {", ".join(f"{keys[k]}" for k in ds.key)}, _file, _row, _loaded_at,
                {prev}, substr(filename, {prefix}), null
            from read_parquet({parquet_list(read)}, union_by_name = true, filename = true)
            where {not_null}"""
        )
        self.con.execute(
            f"insert into {self.table} (_raw_file, _sig) select * from (values "
            + ", ".join(f"({lit(f)}, {lit(f'{sig[0]}:{sig[1]}')})" for f, sig in files)
            + ")"
        )
        for f, sig in files:
            self.files[f] = sig
        self.changed = True

    def _sync(self, names: tuple[str, ...]) -> None:
        """Bring the index up to date with these current raw files (relative to the data
        folder): index the ones it does not hold, or whose time or size changed."""
        if self.files is None:
            self._open()
        stale = []
        for f in names:
            if f in self.checked:
                continue
            st = (self.zone.root / f).stat()
            if self.files.get(f) != (st.st_mtime_ns, st.st_size):
                stale.append((f, (st.st_mtime_ns, st.st_size)))
        if stale:
            self._add(stale)
        self.checked.update(names)

    def earlier(self, rel: str) -> str | None:
        """SQL reading the index rows of the raw files a row of ``rel`` is checked against
        (:func:`earlier_raw_files`), up to date with the log; None when there are none.

        The index holds those files and maybe others (``rel``'s current version, versions
        replaced since the index was saved): the query leaves the others out by name, a
        short list, so that its text does not grow with the history."""
        wanted = earlier_raw_files(self.zone, self.ds, rel)
        if not wanted:
            return None
        self._sync(wanted)
        others = sorted(set(self.files).difference(wanted))
        where = "_row is not null"
        if others:
            where += f" and _raw_file not in (select unnest({sql.list_literal(others)}))"
        return f"(select * from {self.table} where {where})"

    def save(self) -> None:
        """Keep the index for the next run, if it changed: its current raw files' rows only,
        those committed since the last lookup included. The caller holds the dataset's lock."""
        if self.files is None:
            return
        current = self.zone.raw_names(self.ds.name)
        self._sync(current)
        if not self.changed:
            return
        with atomic_path(self.path) as tmp:
            self.con.execute(
                f"copy (select * from {self.table} where _raw_file in "
                f"(select unnest({sql.list_literal(current)})) "
                "order by _raw_file, _row nulls first) "
                f"to {lit(str(tmp))} (format parquet)"
            )
        self.changed = False

    def close(self) -> None:
        if self.files is not None:
            self.con.execute(f"drop table if exists {self.table}")
        self.files = None


@contextlib.contextmanager
def key_index(con, zone: Zone, ds: contract.Dataset) -> Iterator[KeyIndex]:
    """The dataset's key index while its files are ingested (hold its lock), saved after."""
    index = KeyIndex(con, zone, ds)
    try:
        yield index
        index.save()
    finally:
        index.close()


def duplicate_sql(ds: contract.Dataset, earlier: str | None = None) -> tuple[str, str]:
    """CTE ``with_dups`` marking rows whose key repeats an earlier row with other content.

    The earlier row is the first one loaded (by ``_loaded_at``, ``_file``, ``_row``) with that
    key among ``earlier``, the :class:`KeyIndex` rows of the earlier raw files
    (:meth:`KeyIndex.earlier`), reported as ``_dup_file``, ``_dup_file_row``; else the first
    row of this file (``_dup_of``). Against the raw files, content is compared as stored: the
    raw columns' values on both sides.
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
        stored = _stored(ds)
        # the hash KeyIndex stores of a raw row, of this row's values as they would be stored
        out = (
            "md5(row("
            + ", ".join(f"cast({value_sql(c, q(c.name))} as {t})" for c, _, t in stored)
            + ")::varchar)"
        )
        key_out = {k: value_sql(ds.column(k), q(k)) for k in ds.key}
        out_col = f", {out} as _out_content"
        match = " and ".join(f"r.{_key_name(k)} = t.{_key_name(k)}" for k in ds.key)
        earlier_cte = f"""
        this_keys as (
            select distinct {", ".join(f"{key_out[k]} as {_key_name(k)}" for k in ds.key)}
            from typed
        ),
        earlier as (
            select {", ".join(f"r.{_key_name(k)}" for k in ds.key)},
                _file as _prev_file, _row as _prev_row, _content as _prev_content
            from {earlier} as r
            semi join this_keys t on {match}
            qualify row_number() over (
                partition by {", ".join(f"r.{_key_name(k)}" for k in ds.key)}
                order by _loaded_at, _file, _row
            ) = 1
        ),"""
        join = "left join earlier e on " + " and ".join(
            f"{key_out[k]} = e.{_key_name(k)}" for k in ds.key
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
    value = value_sql(ds.column(first), q(first + "__s"))
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
