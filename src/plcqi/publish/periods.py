"""Report periods: a report covers the quarter that ends on its as-of date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def previous_as_of(as_of: date) -> date:
    """The previous quarter's as-of date: three months earlier, month-end to month-end.

    >>> previous_as_of(date(2026, 6, 30)), previous_as_of(date(2026, 5, 31))
    (datetime.date(2026, 3, 31), datetime.date(2026, 2, 28))
    >>> previous_as_of(date(2026, 5, 15))
    datetime.date(2026, 2, 15)
    """
    year, month = (as_of.year, as_of.month - 3) if as_of.month > 3 else (
        as_of.year - 1, as_of.month + 9)
    last = calendar.monthrange(year, month)[1]
    month_end = as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]
    return date(year, month, last if month_end else min(as_of.day, last))


def period(as_of: date) -> tuple[date, date]:
    """First and last day of the period ending on ``as_of``.

    >>> period(date(2026, 6, 30))
    (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    """
    return previous_as_of(as_of) + timedelta(days=1), as_of
