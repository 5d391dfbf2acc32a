"""Publish: self-contained HTML reports rendered with jinja2 from the marts (read-only).

``render_all(data_dir)`` writes every report of the warehouse's as-of date under
``DATA_DIR/reports/`` (layout in ``plcqi.publish.api``) and returns a ``PublishResult``.
"""

from plcqi.publish.api import (
    PublishResult,
    keep_history,
    render_all,
    render_center,
    render_data_quality,
    render_index,
    render_leadership,
    render_region,
    render_unassigned_grantees,
)
from plcqi.publish.warehouse import PublishError

__all__ = [
    "PublishError",
    "PublishResult",
    "keep_history",
    "render_all",
    "render_center",
    "render_data_quality",
    "render_index",
    "render_leadership",
    "render_region",
    "render_unassigned_grantees",
]
