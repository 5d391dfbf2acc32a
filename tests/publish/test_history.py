"""Published history: each publication keeps the mart rows its reports read, and the next
period's build compares with what was published then (METRICS.md 1.1 reports; issue 12).

Through the real pipeline on a copy of the demo (as of 2026-06-30): publish, tamper with the
published uptake so that a recomputation could not produce it, build the next quarter
(2026-09-30) and check that its changes and its report use the published figure."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from plcqi import history
from plcqi.publish import render_all

pytestmark = pytest.mark.slow

FIRST, NEXT = date(2026, 6, 30), date(2026, 9, 30)

_TRANSFORM = """
import sys
from datetime import date
from plcqi.transform.build import transform
transform(sys.argv[1], as_of=date.fromisoformat(sys.argv[2]))
"""


def _transform(data_dir, as_of: date) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PLCQI_DATA_DIR"}
    proc = subprocess.run([sys.executable, "-c", _TRANSFORM, str(data_dir), as_of.isoformat()],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _query(data_dir, sql: str) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse" / "plcqi.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_publication_is_kept_and_read_back_next_period(demo_copy):
    d = demo_copy
    first = render_all(d)
    assert first.history == d / "history" / FIRST.isoformat()
    marts = {r[0] for r in _query(d, "select table_name from information_schema.tables "
                                     "where table_schema = 'marts'")}
    assert {p.stem for p in first.history.glob("*.parquet")} == marts
    assert not list((d / "history").glob(".*")), "no staging folder left behind"
    # nothing was published as of 2026-03-31: the comparison says it was recomputed
    lead = (d / "reports" / "leadership" / f"{FIRST}.html").read_text()
    assert "recomputed from today" in lead
    assert _query(d, "select distinct previous_source from marts.rpt_headline_changes "
                     "where previous_source is not null") == [("recomputed",)]

    # The published rows are the warehouse's rows.
    published = pq.read_table(first.history / "rpt_headlines.parquet")
    assert published.schema.names == [n for n, _ in history.HEADLINE_COLUMNS]
    assert published.num_rows == _query(d, "select count(*) from marts.rpt_headlines")[0][0]

    # Tamper: as published, all centers' uptake was 90% (no recomputation gives that).
    table = published.to_pylist()
    for row in table:
        if (row["center_id"], row["figure"], row["period"]) == (
                "ALL", "followup_uptake_rate", "current"):
            row["value"] = 0.9
    pq.write_table(pa.Table.from_pylist(table, schema=published.schema),
                   first.history / "rpt_headlines.parquet")
    reached = pc.filter(published, pc.and_(
        pc.equal(published["figure"], "grantees_reached"),
        pc.and_(pc.equal(published["center_id"], "ALL"),
                pc.equal(published["period"], "current"))))["value"][0].as_py()

    _transform(d, NEXT)
    changes = {r[0]: r[1:] for r in _query(d, """
        select figure, previous_value, previous_source, previous_as_of_date, current_value,
            change
        from marts.rpt_headline_changes where center_id = 'ALL'""")}
    prev, source, as_of, now, change = changes["followup_uptake_rate"]
    assert (prev, source, as_of) == (0.9, "published", FIRST)
    assert change == pytest.approx((int(now * 100 + 0.5) - 90) / 100)
    assert changes["grantees_reached"][:2] == (reached, "published")

    second = render_all(d)
    assert (d / "history" / NEXT.isoformat() / "rpt_headlines.parquet").exists()
    lead = (d / "reports" / "leadership" / f"{NEXT}.html").read_text()
    assert f"those published as of {FIRST}" in lead
    assert "previous: <span" in lead and "90%" in lead
    assert second.history == d / "history" / NEXT.isoformat()
    assert history.published(d) == [FIRST, NEXT]
