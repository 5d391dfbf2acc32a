"""Tables of display cells, and their CSV download (embedded in the page as a data: URI)."""

from __future__ import annotations

import base64
import csv
import io
import re


def column(key: str, label: str, numeric: bool = False) -> dict:
    return {"key": key, "label": label, "numeric": numeric}


def table(table_id: str, caption: str, columns: list[dict], rows: list[dict],
          *, total: dict | None = None, note: str | None = None) -> dict:
    """A table for the template: ``rows`` are dicts of cells by column key; a ``total`` row
    (same shape) is printed last and marked as such.

    >>> from plcqi.publish.cells import text_cell
    >>> t = table("t1", "Cap", [column("a", "A")], [{"a": text_cell("x")}])
    >>> t["rows"][0]["cells"][0]["text"], t["csv_name"]
    ('x', 't1.csv')
    """
    def line(r: dict, kind: str) -> dict:
        return {"kind": kind, "cells": [r[c["key"]] for c in columns]}

    body = [line(r, "body") for r in rows]
    if total is not None:
        body.append(line(total, "total"))
    return {
        "id": table_id,
        "caption": caption,
        "columns": columns,
        "rows": body,
        "note": note,
        "csv_name": f"{table_id}.csv",
    }


# What a spreadsheet may read as the start of a formula (the full-width forms too: some
# spreadsheets fold them), after any leading spaces.
_FORMULA_START = tuple("=+-@\t\r\n") + tuple("\uff1d\uff0b\uff0d\uff20")
# A plain number, which a spreadsheet reads as the number it is: -1.5, +3, 12%, -1,234.
_PLAIN_NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?")


def spreadsheet_safe(text: str) -> str:
    r"""A CSV cell that a spreadsheet shows as the text it is and never runs as a formula:
    text starting with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading
    ``'``, unless it is a plain number. Every CSV the reports write goes through it
    (``to_csv``), the header too.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-1+cmd|' /C calc'!A0")
    ("'=HYPERLINK(1)", "'-1+cmd|' /C calc'!A0")
    >>> spreadsheet_safe("+5 pts"), spreadsheet_safe("@SUM(A1)"), spreadsheet_safe("\tx")
    ("'+5 pts", "'@SUM(A1)", "'\tx")
    >>> spreadsheet_safe("-1.5"), spreadsheet_safe("+3"), spreadsheet_safe("-12%")
    ('-1.5', '+3', '-12%')
    >>> spreadsheet_safe("n<3"), spreadsheet_safe(""), spreadsheet_safe("Alaska")
    ('n<3', '', 'Alaska')
    """
    text = "" if text is None else str(text)
    if text.lstrip(" ").startswith(_FORMULA_START) and not (
            any(ch.isdigit() for ch in text) and _PLAIN_NUMBER_RE.fullmatch(text)):
        return "'" + text
    return text


def to_csv(t: dict) -> str:
    """The table as CSV text: the same figures the page shows (suppressed cells stay hidden).

    >>> from plcqi.publish.cells import rate
    >>> t = table("t", "c", [column("r", "Rate")], [{"r": rate(0.5, 2, 3)}])
    >>> to_csv(t)
    'Rate\\r\\nn<3\\r\\n'
    """
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([spreadsheet_safe(c["label"]) for c in t["columns"]])
    for row in t["rows"]:
        w.writerow([spreadsheet_safe(c["text"]) for c in row["cells"]])
    return out.getvalue()


def csv_data_uri(t: dict) -> str:
    """``data:text/csv`` URI of the table, for an ``<a download>`` that works offline.

    >>> csv_data_uri(table("t", "c", [column("a", "A")], []))
    'data:text/csv;charset=utf-8;base64,QQ0K'
    """
    payload = base64.b64encode(to_csv(t).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{payload}"
