"""A data folder whose path holds a quote (``/srv/o'brien/data``) goes through ingest,
transform and the reports: every path that reaches SQL is quoted by ``plcqi.sql``."""

from __future__ import annotations

from datetime import date

import pytest

from plcqi.ingest.run import ingest
from plcqi.publish import layout, render_all
from tests.helpers import write_csv, write_reference

pytestmark = pytest.mark.slow
AS_OF = date(2024, 6, 30)
ATTENDANCE = (
    "session_id,participant_id,email,join_time,leave_time\n"
    "S1,P001,,2024-01-15T14:00:00,2024-01-15T15:20:00\n"
    "S2,P001,,2024-02-15T19:00:00,2024-02-15T20:00:00\n"
    "S1,P002,,2024-01-15T14:05:00,2024-01-15T15:25:00\n"
)


def test_a_data_dir_with_a_quote_in_its_path_runs_end_to_end(tmp_path):
    from plcqi.transform.build import transform

    data = write_reference(tmp_path / "o'brien's data")
    write_csv(data / "landing" / "attendance" / "2024-01.csv", ATTENDANCE)
    report = ingest(data)
    assert report.ok, [r.message for r in report.rejected]
    assert report.totals()["rows_loaded"] > 0
    result = transform(data, as_of=AS_OF)
    assert result.success, result.failed_nodes
    published = render_all(data, as_of=AS_OF)
    assert (data / "reports" / layout.center_page("C1", AS_OF)).is_file()
    assert (data / "reports" / "index.html").is_file() and published.history is not None
