"""Native date-times: the formats tried are only those a text can match, with the result of
trying every accepted format in turn."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plcqi.ingest.sources.base import DATETIME_FORMATS, digits, parse_datetime

NY = ZoneInfo("America/New_York")


def every_format(text: str, tz: ZoneInfo) -> datetime | None:
    """The rule as written in the contract: ISO 8601, else the first format that parses."""
    s = " ".join(text.strip().split())
    if not s:
        return None
    try:
        value = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        value = None
        for fmt in DATETIME_FORMATS:
            try:
                value = datetime.strptime(s, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


TEXTS = [
    "03/08/2024 02:00:05 PM",
    "03/08/2024 02:00 PM",
    "03/08/2024 14:00:05",
    "3/8/2024 14:00",
    "3/8/24, 2:00:05 PM",  # two-digit year: %y wins over %Y, which would read year 24
    "3/8/24, 2:00 pm",
    "3/8/2024, 2:00:05 PM",
    "Mar 8, 2024 02:00:05 PM",
    "Mar  8, 2024 2:00 PM",
    "Mar 8, 2024 14:00:05",
    "Mar 8, 2024 14:00",
    "2024-03-08 14:00:05",
    "2024-03-08T14:00:05Z",
    "2024-03-08 14:00",
    "03/08/2024",
    "13/08/2024 14:00",
    "03/08/2024 25:00",
    "Foo 8, 2024 14:00",
    "03-08-2024 14:00",
    "2024/03/08 14:00:05",
    "03/08/2024 02:00:05 XM",
    "yesterday",
    "  ",
    "2024-03-08 14:00:05.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_date_time_parses_as_trying_every_format_would(text):
    assert parse_datetime(text, NY) == every_format(text, NY)


def test_a_two_digit_year_is_the_twenty_first_century():
    assert parse_datetime("3/8/24, 2:00:05 PM", NY) == datetime(2024, 3, 8, 19, 0, 5, tzinfo=UTC)


def test_meeting_ids_compare_as_digits():
    assert digits("812 3456 7890") == "81234567890"
    assert digits("81234567890") == "81234567890"
    assert digits(None) == digits("") == ""
    assert digits("ID: 8-1") == "81"
