"""Duplicate keys: a row whose key repeats an earlier row with other content, in the same
file or (keyed event data) a current raw file of another landing file of the dataset, is
quarantined naming that row; exact duplicates load. A new version of a file is not checked
against the version it replaces."""

from __future__ import annotations

from pathlib import Path

from plcqi.ingest import contract
from plcqi.ingest.checks import value_sql
from plcqi.ingest.rawzone import Zone, parquet_list, raw_name, raw_type
from plcqi.sql import ident as q
from plcqi.sql import literal as lit


def earlier_raw_files(zone: Zone, ds: contract.Dataset, rel: str | None = None) -> list[Path]:
    """The current raw files a keyed event dataset already holds, but those of ``rel`` (the
    landing file being loaded, whose new version replaces its rows); a new row's key is
    checked against them. Reference snapshots have none: their latest file replaces the
    earlier ones."""
    if not ds.key or ds.source == "reference":
        return []
    return zone.raw_files(ds.name, replacing=rel)


def duplicate_sql(ds: contract.Dataset, earlier: list[Path] = ()) -> tuple[str, str]:
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
        stored = [(c, raw_name(c), raw_type(c)) for c in ds.columns if raw_name(c) is not None]
        out = (
            "md5(row("
            + ", ".join(f"cast({value_sql(c, q(c.name))} as {t})" for c, _, t in stored)
            + ")::varchar)"
        )
        prev = "md5(row(" + ", ".join(f"cast({q(n)} as {t})" for _, n, t in stored) + ")::varchar)"
        key_out = {k: value_sql(ds.column(k), q(k)) for k in ds.key}
        key_raw = {k: q(raw_name(ds.column(k))) for k in ds.key}
        files = parquet_list(earlier)
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
