"""Native layouts of this platform (SOURCES.md); filled in by its adapter."""

from __future__ import annotations

from plcqi.ingest.sources.base import Layout

LAYOUTS: tuple[Layout, ...] = ()
