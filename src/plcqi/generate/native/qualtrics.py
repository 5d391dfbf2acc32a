"""Qualtrics survey exports: three header rows (names, question texts, ImportIds with the
export's time zone), the author's preview responses, then one row per response."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from plcqi.generate.native.survey_items import LIKERT_ITEMS, SURVEY_INDEX, ip_address, label
from plcqi.generate.native.write import NativeFile, csv_text, local, parse_ts, sql_time

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


def qualtrics(plan: Plan, wave, cohort, center, rows, items, r) -> NativeFile:
    zone = "America/Denver" if plan.tz[center] != "America/Denver" else "America/Phoenix"
    tz = ZoneInfo(zone)
    meta = [
        ("StartDate", "Start Date", "startDate"),
        ("EndDate", "End Date", "endDate"),
        ("Status", "Response Type", "status"),
        ("IPAddress", "IP Address", "ipAddress"),
        ("Progress", "Progress", "progress"),
        ("Duration (in seconds)", "Duration (in seconds)", "duration"),
        ("Finished", "Finished", "finished"),
        ("RecordedDate", "Recorded Date", "recordedDate"),
        ("ResponseId", "Response ID", "_recordId"),
        ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
        ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
        ("RecipientEmail", "Recipient Email", "recipientEmail"),
        ("ExternalReference", "External Data Reference", "externalDataReference"),
        ("DistributionChannel", "Distribution Channel", "distributionChannel"),
        ("UserLanguage", "User Language", "userLanguage"),
    ]
    dated = {"startDate", "endDate", "recordedDate"}
    head1 = [m[0] for m in meta] + [c for c, _ in items] + ["cohort_id", "grantee_id"]
    head2 = [m[1] for m in meta] + [t for _, t in items] + ["cohort_id", "grantee_id"]
    head3 = [
        (
            f'{{"ImportId":"{m[2]}","timeZone":"{zone}"}}'
            if m[2] in dated
            else f'{{"ImportId":"{m[2]}"}}'
        )
        for m in meta
    ]
    head3 += [f'{{"ImportId":"QID{i + 1}"}}' for i in range(len(items))]
    head3 += ['{"ImportId":"cohort_id"}', '{"ImportId":"grantee_id"}']
    out = [head1, head2, head3]
    previews = r.randint(1, 2)
    for n in range(previews):  # the survey's author trying it out before sending it
        at = parse_ts(rows[0][4]) - timedelta(days=r.randint(3, 12), minutes=r.randint(0, 600))
        out.append(
            _row(
                at,
                "Survey Preview",
                "",
                f"R_preview{n}{cohort}",
                "",
                "",
                "preview",
                [
                    label(c, v)
                    for c, v in (
                        (c, r.choice(("4", "5")) if c in LIKERT_ITEMS else "") for c, _ in items
                    )
                ],
                cohort,
                "",
                tz,
                r,
            )
        )
    for row in rows:
        pid = row[3]
        p = plan.by_pid.get(pid)
        values = [label(c, row[SURVEY_INDEX[c]]) for c, _ in items]
        rid = "R_" + hashlib.sha256(row[0].encode()).hexdigest()[:15]
        out.append(
            _row(
                parse_ts(row[4]),
                "IP Address",
                ip_address(r),
                rid,
                p.full_name if p else "",
                p.email if p else "",
                "email" if p else "anonymous",
                values,
                row[1],
                row[2],
                tz,
                r,
            )
        )
    return NativeFile(
        f"surveys/{wave}/{center}/qualtrics/{cohort}_{wave}_survey.csv",
        csv_text(out).encode("utf-8"),
        "qualtrics",
        len(rows),
        {"survey_preview": previews},
    )


def _row(at, status, ip, rid, name, email, channel, values, cohort, grantee, tz, r) -> list[str]:
    took = r.randint(120, 900)
    first, _, last = name.partition(" ")
    return [
        sql_time(local(at - timedelta(seconds=took), tz)),
        sql_time(local(at, tz)),
        status,
        ip,
        "100",
        str(took),
        "True",
        sql_time(local(at, tz)),
        rid,
        last,
        first,
        email,
        "",
        channel,
        "EN",
        *values,
        cohort,
        grantee,
    ]
