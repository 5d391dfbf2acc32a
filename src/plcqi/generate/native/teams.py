"""Microsoft Teams attendance exports (UTF-16, tab-separated): the attendance report (summary,
participants, in-meeting activities, an organizer row) and, once, the legacy Joined/Left list."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from plcqi.generate.native.write import (
    Exporter,
    NativeFile,
    csv_text,
    legacy_time,
    local,
    teams_duration,
    teams_time,
    utf16,
)

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


class Teams(Exporter):
    """Builds a Teams session's attendance report; remembers whether the legacy one was."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.legacy_done = False

    def meeting(self, sid, s, center, tz, rows, r) -> NativeFile | None:
        plan = self.plan
        iv = self.intervals(rows)
        first = min(j for _, _, j, _ in iv)
        if not plan.unique_start(first, sid):
            return None
        if not self.legacy_done:
            self.legacy_done = True
            return self.legacy(sid, s, center, tz, iv)
        org_name, org_email = self.staff(center, "organizer")
        org_join = min(first, s.start) - timedelta(
            minutes=r.randint(2, 10), seconds=r.randint(0, 59)
        )
        org_leave = max(lv for *_, lv in iv) + timedelta(seconds=r.randint(20, 200))
        if not plan.unique_start(org_join, sid):
            return None
        by_person: dict[str, list] = defaultdict(list)
        for email, pid, j, lv in iv:
            by_person[email.lower()].append((email, pid, j, lv))
        presenters = {e for e in by_person if r.random() < 0.05}
        total = sum((lv - j).total_seconds() for *_, j, lv in iv)
        people = len(by_person) + 1
        summary = [
            ["1. Summary"],
            ["Meeting title", plan.title_of[sid]],
            ["Attended participants", str(people)],
            ["Start time", teams_time(local(org_join, tz))],
            ["End time", teams_time(local(org_leave, tz))],
            ["Meeting duration", teams_duration((org_leave - org_join).total_seconds())],
            ["Average attendance time", teams_duration(total / max(1, len(by_person)))],
            [],
            ["2. Participants"],
            [
                "Name",
                "First Join",
                "Last Leave",
                "In-Meeting Duration",
                "Email",
                "Participant ID (UPN)",
                "Role",
            ],
            [
                org_name,
                teams_time(local(org_join, tz)),
                teams_time(local(org_leave, tz)),
                teams_duration((org_leave - org_join).total_seconds()),
                org_email,
                org_email,
                "Organizer",
            ],
        ]
        activities = [
            (
                org_join,
                [
                    org_name,
                    teams_time(local(org_join, tz)),
                    teams_time(local(org_leave, tz)),
                    teams_duration((org_leave - org_join).total_seconds()),
                    org_email,
                    "Organizer",
                ],
            )
        ]
        for key, conns in sorted(by_person.items(), key=lambda kv: min(c[2] for c in kv[1])):
            email, pid = conns[0][0], conns[0][1]
            p = self.person(email, pid)
            role = "Presenter" if key in presenters else "Attendee"
            j0, l1 = min(c[2] for c in conns), max(c[3] for c in conns)
            secs = sum((c[3] - c[2]).total_seconds() for c in conns)
            summary.append(
                [
                    p.full_name,
                    teams_time(local(j0, tz)),
                    teams_time(local(l1, tz)),
                    teams_duration(secs),
                    email,
                    "",
                    role,
                ]
            )
            for _, _, j, lv in conns:
                activities.append(
                    (
                        j,
                        [
                            p.full_name,
                            teams_time(local(j, tz)),
                            teams_time(local(lv, tz)),
                            teams_duration((lv - j).total_seconds()),
                            email,
                            role,
                        ],
                    )
                )
        activities.sort(key=lambda x: x[0])
        out = summary + [
            [],
            ["3. In-Meeting Activities"],
            ["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
        ]
        out += [c for _, c in activities]
        day = local(s.start, tz).date()
        name = f"Meeting Attendance Report ({day:%m-%d-%y}) {sid}.csv"
        return NativeFile(
            f"attendance/{center}/teams/{name}",
            utf16(csv_text(out, "\t", crlf=True)),
            "teams_attendance",
            len(iv),
            {"organizer": 1},
        )

    @staticmethod
    def merged(iv) -> list:
        """Each person's overlapping or touching connections as one: a Joined/Left stream
        can only pair them one way, and the marts merge them alike (the same minutes)."""
        by: dict[str, list] = defaultdict(list)
        for email, pid, j, lv in iv:
            by[email.lower()].append([email, pid, j, lv])
        out = []
        for conns in by.values():
            conns.sort(key=lambda c: (c[2], c[3]))
            cur = conns[0]
            for c in conns[1:]:
                if c[2] <= cur[3]:
                    cur[3] = max(cur[3], c[3])
                else:
                    out.append(tuple(cur))
                    cur = c
            out.append(tuple(cur))
        return out

    def legacy(self, sid, s, center, tz, iv) -> NativeFile:
        events = []
        iv = self.merged(iv)
        for email, pid, j, lv in iv:
            p = self.person(email, pid)
            events.append((j, 0, [p.full_name, "Joined", legacy_time(local(j, tz)), email]))
            events.append((lv, 1, [p.full_name, "Left", legacy_time(local(lv, tz)), email]))
        events.sort(key=lambda x: (x[0], x[1]))
        out = [["Full Name", "User Action", "Timestamp", "Email"]] + [c for *_, c in events]
        day = local(s.start, tz).date()
        return NativeFile(
            f"attendance/{center}/teams/meetingAttendanceList_{day:%Y%m%d}.csv",
            utf16(csv_text(out, "\t", crlf=True)),
            "teams_legacy",
            len(iv),
            # every line is a row read: a Left closing its Joined is skipped by the adapter
            skipped={"leave_paired": len(iv)},
        )
