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


_FORMULA_RE = re.compile(r"^[=+\-@\t\r]")
_NUMBERISH_RE = re.compile(r"^[+\-]?\d")


def _csv_safe(text: str) -> str:
    """Text that a spreadsheet will not run as a formula.

    >>> _csv_safe("=HYPERLINK(1)"), _csv_safe("+5 pts"), _csv_safe("-3 pts")
    ("'=HYPERLINK(1)", '+5 pts', '-3 pts')
    """
    if _FORMULA_RE.match(text) and not _NUMBERISH_RE.match(text):
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
    w.writerow([c["label"] for c in t["columns"]])
    for row in t["rows"]:
        w.writerow([_csv_safe(c["text"]) for c in row["cells"]])
    return out.getvalue()


def csv_data_uri(t: dict) -> str:
    """``data:text/csv`` URI of the table, for an ``<a download>`` that works offline.

    >>> csv_data_uri(table("t", "c", [column("a", "A")], []))
    'data:text/csv;charset=utf-8;base64,QQ0K'
    """
    payload = base64.b64encode(to_csv(t).encode("utf-8")).decode("ascii")
    return f"data:text/csv;charset=utf-8;base64,{payload}"
