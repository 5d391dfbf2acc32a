"""Reading a contract CSV: parsed once by Arrow's multithreaded CSV reader, every cell as
text, or rejected whole with a message naming the file and what is wrong with it. (A native
export is converted to the same ``Parsed`` by ``plcqi.ingest.sources``.)"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pacsv

from plcqi.ingest import contract

_BOM = b"\xef\xbb\xbf"


class FileRejected(Exception):
    """The file as a whole cannot be read as the contract; the message says why."""


@dataclass
class Parsed:
    names: list[str]  # normalized header
    table: pa.Table  # every column as text, plus _row
    # (row, column or None, reason): rows quarantined before the checks (ragged rows; rows a
    # native adapter could not convert)
    ragged: list[tuple[int, str | None, str]]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # native rows, not events
    layout: str = "contract"
    unmapped: list[str] = field(default_factory=list)  # native columns not used


def read_text_csv(data: bytes, rel: str, ds: contract.Dataset) -> Parsed:
    """Parse a contract CSV (UTF-8 bytes) with every cell as text, or reject it whole."""
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
            ragged.append(
                (i, None, f"row has {len(record)} fields; the header has {len(names)}")
            )
            continue
        numbers.append(i)
        for col, value in zip(columns, record, strict=True):
            col.append(value)
    arrays = [pa.array(c, type=pa.string()) for c in columns] + [pa.array(numbers, pa.int64())]
    return Parsed(names, pa.table(arrays, names=[*names, "_row"]), ragged)
