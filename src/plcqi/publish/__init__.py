"""Publish: self-contained HTML reports rendered with jinja2 from the marts (read-only).

``render_all(data_dir)`` writes every report of the warehouse's as-of date under
``DATA_DIR/reports/`` (layout in ``plcqi.publish.api``) and returns a ``PublishResult``.

The names below are imported on first use (PEP 562): a command that only needs a submodule
(``plcqi.publish.access``, ``plcqi.publish.layout``) does not load the charting stack.
"""

from __future__ import annotations

import importlib

_HOMES = {
    "PublishResult": "plcqi.publish.api",
    "keep_history": "plcqi.publish.api",
    "render_all": "plcqi.publish.api",
    "render_center": "plcqi.publish.api",
    "render_data_quality": "plcqi.publish.api",
    "render_index": "plcqi.publish.api",
    "render_leadership": "plcqi.publish.api",
    "render_region": "plcqi.publish.api",
    "render_unassigned_grantees": "plcqi.publish.api",
    "PublishError": "plcqi.publish.warehouse",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
