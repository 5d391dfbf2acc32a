"""Zoom poll reports: one per session, in its long form (with or without a Poll column) or the
ragged one (a respondent's answers across one row)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from plcqi.generate.native.write import (
    AGREEMENT,
    Ambiguous,
    Exporter,
    NativeFile,
    csv_text,
    local,
    parse_ts,
    ragged_time,
    stream,
    webinar_time,
)

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


class ZoomPolls(Exporter):
    """Builds a session's poll report (None: it stays a CSV); remembers the ragged form."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.ragged_done = False

    def poll(self, sid: str, rows: list[list[str]]) -> NativeFile | None:
        plan = self.plan
        s = plan.sessions[sid]
        center = plan.center_of[sid]
        tz = ZoneInfo(plan.tz[center])
        r = stream(plan.seed, "pollreport", sid)
        k = len(dict.fromkeys(row[2] for row in rows))
        if len(rows) % k:
            return None
        name = plan.poll_name[sid]
        ragged = name is None and (not self.ragged_done or r.random() < 0.2)
        try:
            return self._poll(sid, s, center, tz, rows, k, name, ragged, r)
        except Ambiguous:
            return None

    def _poll(self, sid, s, center, tz, rows, k, name, ragged, r) -> NativeFile:
        plan = self.plan
        if ragged:
            self.ragged_done = True
        mid = plan.meeting_id.get(sid, "")
        if r.random() < 0.5:
            mid = re.sub(r"\D", "", mid)
        webinar = s.session_type == "webinar" and r.random() < 0.3
        start = s.start - timedelta(minutes=r.randint(2, 10), seconds=r.randint(0, 59))
        generated = local(s.start + timedelta(days=r.randint(1, 30), minutes=r.randint(0, 900)), tz)
        out = [
            ["Poll Report"],
            ["Report Generated:", webinar_time(generated)],
            [
                "Topic",
                "Webinar ID" if webinar else "Meeting ID",
                "Actual Start Time",
                "Actual Duration (minutes)",
                "# Participants",
            ],
            [
                plan.title_of[sid],
                mid,
                webinar_time(local(start, tz)),
                str(s.duration),
                str(len(rows) // k),
            ],
            [],
        ]
        if ragged:
            out.append(["#", "User Name", "User Email", "Submitted Date/Time", ""])
        elif name:
            out.append(
                [
                    "#",
                    "User Name",
                    "User Email",
                    "Submitted Date and Time",
                    "Poll",
                    "Question",
                    "Answer",
                ]
            )
        else:
            out.append(
                ["#", "User Name", "User Email", "Submitted Date and Time", "Question", "Answer"]
            )
        for n in range(len(rows) // k):
            block = rows[n * k : (n + 1) * k]
            pid = block[0][5]
            if pid:
                p = plan.by_pid[pid]
                user, email = p.full_name, p.email
            else:
                user, email = "Anonymous Attendee", ""
            when = local(parse_ts(block[0][8]), tz)
            if ragged:
                cells = [str(n + 1), user, email, ragged_time(when)]
                for row in block:
                    cells += [row[3], self._answer(row, labels=False)]
                out.append(cells)
                continue
            for row in block:
                cells = [str(n + 1), user, email, webinar_time(when)]
                if name:
                    cells.append(name)
                out.append(cells + [row[3], self._answer(row, labels=True)])
        day = local(s.start, tz).date()
        digits = re.sub(r"\D", "", mid)
        form = "ragged" if ragged else ("long" if name else "long_nopoll")
        return NativeFile(
            f"polls/{center}/zoom/{digits}_{day:%Y%m%d}_PollReport.csv",
            csv_text(out).encode("utf-8"),
            "zoom_poll",
            len(rows),
            form=form,
        )

    @staticmethod
    def _answer(row: list[str], labels: bool) -> str:
        scale, value = row[4], row[6]
        if scale == "likert5":
            return AGREEMENT[int(value) - 1] if labels else value
        if scale == "yes_no":
            return value.capitalize()
        return value
