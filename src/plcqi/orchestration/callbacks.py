"""Failure callback: one clear log line per failed task, and an e-mail when configured."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from typing import Any

from plcqi import settings

log = logging.getLogger("plcqi.orchestration")


def failure_line(context: Mapping[str, Any]) -> str:
    """One line saying what failed, where, which try, and why.

    >>> class TI: dag_id, task_id, run_id, try_number, map_index, max_tries = (
    ...     "d", "t", "r", 2, -1, 3)
    >>> failure_line({"ti": TI(), "exception": ValueError("boom")})
    'plcqi task failed: d.t run=r try=2/4 error=ValueError: boom'
    """
    ti = context.get("ti") or context.get("task_instance")
    exc = context.get("exception")
    where = f"{getattr(ti, 'dag_id', '?')}.{getattr(ti, 'task_id', '?')}"
    map_index = getattr(ti, "map_index", -1)
    if map_index is not None and map_index >= 0:
        where += f"[{map_index}]"
    max_tries = getattr(ti, "max_tries", None)
    tries = f"{getattr(ti, 'try_number', '?')}/{max_tries + 1 if max_tries is not None else '?'}"
    reason = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown (see the task log)"
    reason = " ".join(reason.split())[:500]
    return f"plcqi task failed: {where} run={getattr(ti, 'run_id', '?')} try={tries} error={reason}"


def on_failure(context: Mapping[str, Any]) -> None:
    """Log the failure line; e-mail it to ``PLCQI_ALERT_EMAIL`` through the SMTP connection
    when that is set. A broken mail setup is logged, never raised."""
    line = failure_line(context)
    log.error(line)
    addresses = (settings.get("alert_email") or "").split(",")
    recipients = [a.strip() for a in addresses if a.strip()]
    if not recipients:
        return
    try:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        SmtpNotifier(
            to=recipients,
            smtp_conn_id=settings.get("smtp_conn_id"),
            subject=line[:150],
            html_content=f"<p>{html.escape(line)}</p>",
        ).notify(dict(context))
    except Exception as e:  # noqa: BLE001 - alerting must not mask the task's own error
        log.error("plcqi: could not e-mail the failure to %s (%s: %s)",
                  ", ".join(recipients), type(e).__name__, e)
