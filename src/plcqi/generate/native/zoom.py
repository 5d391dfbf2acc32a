"""Zoom attendance exports: the meeting participants report (with or without its meeting block,
a host row, a waiting room) and the webinar attendee report (host, panelist, no-shows)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from plcqi.generate.native.write import (
    Exporter,
    NativeFile,
    csv_text,
    digits_only,
    local,
    webinar_time,
    zoom_minutes,
    zoom_time,
)

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


class Zoom(Exporter):
    """Builds a Zoom session's attendance report; remembers which forms were written."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.webinar_done = False
        self.noblock_done = False

    def meeting(self, sid, s, center, tz, rows, r) -> NativeFile:
        plan = self.plan
        iv = self.intervals(rows)
        first = min(j for _, _, j, _ in iv)
        webinar = s.session_type == "webinar" and (not self.webinar_done or r.random() < 0.25)
        if webinar:
            self.webinar_done = True
            return self.webinar(sid, s, center, tz, iv, r)
        block = r.random() >= 0.3 or not plan.unique_start(first, sid)
        if not block and self.noblock_done and r.random() < 0.5:
            block = True
        if not block:
            self.noblock_done = True
        waiting = block and r.random() < 0.6  # (a waiting room row would move the start)
        consent = r.random() < 0.5
        host_name, host_email = self.staff(center, "host")
        host_join = s.start - timedelta(minutes=r.randint(5, 15), seconds=r.randint(0, 59))
        host_leave = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(30, 300))
        lines: list[tuple[datetime, list[str]]] = []
        skipped: dict[str, int] = defaultdict(int)
        header = [
            "Name (Original Name)",
            "User Email",
            "Join Time",
            "Leave Time",
            "Duration (Minutes)",
            "Guest",
        ]
        if consent:
            header.append("Recording Consent")
        if waiting:
            header.append("In Waiting Room")

        def line(name, email, j, lv, guest, wait="No"):
            cells = [
                name,
                email,
                zoom_time(local(j, tz)),
                zoom_time(local(lv, tz)),
                zoom_minutes(j, lv),
                guest,
            ]
            if consent:
                cells.append("Yes" if wait == "No" else "")
            if waiting:
                cells.append(wait)
            lines.append((j, cells))

        if block:
            line(host_name, host_email, host_join, host_leave, "No")
            skipped["host"] += 1
        seen: set[str] = set()
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            first, _, last = p.full_name.partition(" ")
            name = p.full_name if r.random() < 0.8 else f"{first} {last[:1]}. ({p.full_name})"
            guest = "Yes" if r.random() < 0.85 else "No"
            if waiting and email.lower() not in seen and r.random() < 0.15:
                line(name, email, j - timedelta(seconds=r.randint(30, 240)), j, guest, "Yes")
                skipped["waiting_room"] += 1
            seen.add(email.lower())
            line(name, email, j, lv, guest)
        lines.sort(key=lambda x: x[0])
        out: list[list[str]] = []
        mid = plan.meeting_id.get(sid, "")
        if r.random() < 0.5:
            mid = re.sub(r"\D", "", mid)
        elif " " not in mid and mid:
            mid = f"{mid[:3]} {mid[3:7]} {mid[7:]}"
        if block:
            end = host_leave
            out += [
                [
                    "Meeting ID",
                    "Topic",
                    "Start Time",
                    "End Time",
                    "User Email",
                    "Duration (Minutes)",
                    "Participants",
                ],
                [
                    mid,
                    plan.title_of[sid],
                    zoom_time(local(host_join, tz)),
                    zoom_time(local(end, tz)),
                    host_email,
                    zoom_minutes(host_join, end),
                    str(len(seen) + 1),
                ],
                [],
            ]
        out += [header] + [c for _, c in lines]
        day = local(s.start, tz).date()
        name = f"participants_{digits_only(mid)}_{day:%Y%m%d}.csv"
        return NativeFile(
            f"attendance/{center}/zoom/{name}",
            csv_text(out).encode("utf-8"),
            "zoom_meeting",
            len(iv),
            dict(skipped),
        )

    def webinar(self, sid, s, center, tz, iv, r) -> NativeFile:
        plan = self.plan
        mid = plan.meeting_id.get(sid, "")
        host_name, host_email = self.staff(center, "host")
        pan_name, pan_email = self.staff(center, "panelist")
        start = s.start - timedelta(minutes=r.randint(3, 10), seconds=r.randint(0, 59))
        end = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(30, 300))
        came = {e.lower() for e, *_ in iv}
        no_shows = [p for p in plan.teams_of[plan.cohort_of[sid]] if p.email.lower() not in came]
        no_shows = r.sample(no_shows, min(len(no_shows), r.randint(1, 5)))
        generated = local(end + timedelta(days=r.randint(1, 20), minutes=r.randint(0, 600)), tz)
        head = [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ]

        def staff_row(name, email):
            return [
                "Yes",
                name,
                email,
                webinar_time(local(start, tz)),
                webinar_time(local(end, tz)),
                zoom_minutes(start, end),
                "No",
                "United States",
            ]

        out = [
            ["Attendee Report"],
            ["Report Generated:", webinar_time(generated)],
            [
                "Topic",
                "Webinar ID",
                "Actual Start Time",
                "Actual Duration (minutes)",
                "# Registered",
                "# Cancelled",
                "Unique Viewers",
                "Total Users",
                "Max Concurrent Views",
            ],
            [
                plan.title_of[sid],
                mid,
                webinar_time(local(start, tz)),
                zoom_minutes(start, end),
                str(len(came) + len(no_shows)),
                "0",
                str(len(came)),
                str(len(iv)),
                str(len(came)),
            ],
            ["Host Details"],
            head,
            staff_row(host_name, host_email),
            ["Panelist Details"],
            head,
            staff_row(pan_name, pan_email),
            ["Attendee Details"],
            [
                "Attended",
                "User Name (Original Name)",
                "First Name",
                "Last Name",
                "Email",
                "Registration Time",
                "Approval Status",
                "Join Time",
                "Leave Time",
                "Time in Session (minutes)",
                "Is Guest",
                "Country/Region Name",
            ],
        ]
        reg = local(s.start - timedelta(days=r.randint(2, 20)), tz)
        attendees = []
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            first, _, last = p.full_name.partition(" ")
            attendees.append(
                (
                    j,
                    [
                        "Yes",
                        p.full_name,
                        first,
                        last,
                        email,
                        webinar_time(reg),
                        "approved",
                        webinar_time(local(j, tz)),
                        webinar_time(local(lv, tz)),
                        zoom_minutes(j, lv),
                        "Yes",
                        "United States",
                    ],
                )
            )
        attendees.sort(key=lambda x: x[0])
        out += [c for _, c in attendees]
        for p in no_shows:
            first, _, last = p.full_name.partition(" ")
            out.append(
                [
                    "No",
                    p.full_name,
                    first,
                    last,
                    p.email,
                    webinar_time(reg),
                    "approved",
                    "--",
                    "--",
                    "--",
                    "Yes",
                    "",
                ]
            )
        day = local(s.start, tz).date()
        name = f"webinar_attendee_{digits_only(mid)}_{day:%Y%m%d}.csv"
        return NativeFile(
            f"attendance/{center}/zoom/{name}",
            csv_text(out).encode("utf-8"),
            "zoom_webinar",
            len(iv),
            {"host": 1, "panelist": 1, "no_show": len(no_shows)},
        )
