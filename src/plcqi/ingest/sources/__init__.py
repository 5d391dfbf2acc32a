"""Native exports (``shared/contract/SOURCES.md``): recognizing a landing file's layout by its
content and converting it to the contract's rows.

One module per platform holds its layouts (``LAYOUTS``); this one asks each of them, in the
order of ``MODULES``, whether a file is theirs. A contract CSV is recognized first (its header
holds the dataset's required columns). A file that is neither is rejected whole, naming every
layout it was checked against and what the closest one lacks.
"""

from __future__ import annotations

import csv
import importlib
import io
from dataclasses import dataclass
from pathlib import Path

from plcqi.ingest import contract
from plcqi.ingest.read import (
    XLSX,
    FileRejected,
    binary_kind,
    check_quotes,
    decode,
    empty,
    not_csv,
    remove_controls,
)
from plcqi.ingest.sources.base import (
    CONTROL_FILES,
    Adapted,
    Context,
    Layout,
    Session,
    Sessions,
)

__all__ = [
    "CONTROL_FILES",
    "Adapted",
    "Context",
    "Detection",
    "Layout",
    "Session",
    "Sessions",
    "adapt",
    "detect",
    "layouts",
]

# Platform modules, in the order their layouts are tried.
MODULES = ("zoom", "teams", "zoom_polls", "qualtrics", "redcap", "surveymonkey", "spreadsheet")
CONTRACT = "contract"


def layouts(dataset: str | None = None) -> list[Layout]:
    """Every native layout (of ``dataset`` when given), in the order they are tried."""
    out = []
    for name in MODULES:
        module = importlib.import_module(f"plcqi.ingest.sources.{name}")
        out += [lo for lo in module.LAYOUTS if dataset is None or dataset in lo.datasets]
    return out


@dataclass
class Detection:
    layout: Layout | None  # None: a contract CSV
    text: str  # the decoded file (a binary layout's bytes decoded as latin-1)
    control_characters: int = 0  # removed from ``text`` (INPUTS.md)

    @property
    def name(self) -> str:
        return self.layout.name if self.layout else CONTRACT


def _contract_missing(text: str, ds: contract.Dataset) -> tuple[int, list[str]]:
    first = text.split("\n", 1)[0]
    try:
        header = next(csv.reader(io.StringIO(first)), [])
    except csv.Error:
        header = []
    names = {h.strip().lower() for h in header}
    missing = [c for c in ds.required if c not in names]
    return len(ds.required) - len(missing), missing


def detect(data: bytes, rel: str, ds: contract.Dataset, ctx: Context | None = None) -> Detection:
    """The layout of a landing file of ``ds``: the contract's or a native one (``ctx``, where
    the file is read, for the layouts recognized by a control file). The text is decoded
    (``read.decode``) and rid of control characters; a quoted value left open rejects it."""
    if not data.strip():
        raise empty(rel)
    candidates = layouts(ds.name)
    kind = binary_kind(data)
    if kind is not None:
        sniffed = data.decode("latin-1")
        binaries = [lo for lo in candidates if lo.binary]
        if kind != XLSX or not binaries:
            raise not_csv(rel, kind)
        tried = []
        for layout in binaries:
            hits, lacks = layout.sniff(sniffed)
            if not lacks:
                return Detection(layout, sniffed)
            tried.append((layout.title, lacks))
        title, lacks = tried[0]
        raise FileRejected(f"{rel}: is {kind}, but not a {title}: it lacks {', '.join(lacks)}")
    text, controls = remove_controls(decode(data, rel))
    if not text.strip():
        raise empty(rel)
    score, missing = _contract_missing(text, ds)
    if not missing:
        return Detection(None, text, controls)
    tried = [("the contract's CSV", len(ds.required), score, missing)]
    for layout in candidates:
        if layout.binary:
            continue
        hits, lacks = layout.sniff(text, ctx) if layout.contextual else layout.sniff(text)
        if not lacks:
            if layout.quoting:
                check_quotes(text, rel)
            return Detection(layout, text, controls)
        tried.append((layout.title, hits + len(lacks), hits, lacks))
    checked = ["the contract's CSV"] + [lo.title for lo in candidates]
    natives = ", ".join(lo.title for lo in candidates) or "none"
    title, total, hits, lacks = max(tried, key=lambda t: (t[2] / t[1], t[2]))
    if title == "the contract's CSV" or hits == 0:
        plural = "s" if len(missing) > 1 else ""
        raise FileRejected(
            f"{rel}: missing required column{plural} {', '.join(missing)} ({ds.name} files "
            f"need {', '.join(ds.required)}; this one has {_header(text)}), and it is not a "
            f"native export plcqi reads either (checked against: {natives})"
        )
    raise FileRejected(
        f"{rel}: not a {ds.name} file in a layout plcqi reads (checked against: "
        f"{', '.join(checked)}); closest is the {title}, which lacks {', '.join(lacks)}"
    )


def _header(text: str) -> str:
    first = text.split("\n", 1)[0]
    try:
        cells = next(csv.reader(io.StringIO(first)), [])
    except csv.Error:
        cells = []
    shown = ", ".join(_short(c.strip()) for c in cells[:12] if c.strip()) or "no header"
    return shown + (", …" if len(cells) > 12 else "")


def _short(heading: str, most: int = 40) -> str:
    return heading if len(heading) <= most else heading[: most - 1] + "…"


def adapt(detection: Detection, ctx: Context) -> Adapted:
    """The native file as contract rows (``detection`` must name a native layout)."""
    assert detection.layout is not None
    return detection.layout.adapt(detection.text, ctx)


def is_control_file(path: Path) -> bool:
    return path.name in CONTROL_FILES or path.name.startswith(".")
