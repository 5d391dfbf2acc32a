"""SurveyMonkey survey exports: two header rows (a grid question spans its choices) and the
folder's COLUMNS.csv mapping the export's columns to the contract's."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from plcqi.generate.native.survey_items import BARRIER_LABELS, SURVEY_INDEX, ip_address, label
from plcqi.generate.native.write import (
    NativeFile,
    csv_text,
    digits_only,
    local,
    parse_ts,
    zoom_time,
)

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


def surveymonkey(
    plan: Plan, wave, cohort, center, tz, rows, items, r
) -> tuple[NativeFile, dict[str, bytes]]:
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "cohort_id",
        "grantee_id",
    ]
    head1, head2 = list(meta), [""] * len(meta)
    for c, t in items:
        if c == "barriers":
            labels = list(BARRIER_LABELS.values())
            head1 += [t] + [""] * (len(labels) - 1)
            head2 += labels
        else:
            head1.append(t)
            head2.append("Open-Ended Response" if c == "comments" else "Response")
    out = [head1, head2]
    collector = str(r.randint(400000000, 499999999))
    prefix = 114 if wave == "midpoint" else 115
    for row in rows:
        p = plan.by_pid.get(row[3])
        at = parse_ts(row[4])
        took = r.randint(120, 900)
        first, _, last = (p.full_name if p else "").partition(" ")
        rid = f"{prefix}{int(digits_only(row[0]) or 0):08d}"
        cells = [
            rid,
            collector,
            zoom_time(local(at - timedelta(seconds=took), tz)),
            zoom_time(local(at, tz)),
            ip_address(r),
            p.email if p else "",
            first,
            last,
            row[1],
            row[2],
        ]
        for c, _ in items:
            v = row[SURVEY_INDEX[c]]
            if c == "barriers":
                picked = set(v.split(";")) if v else set()
                cells += [label if b in picked else "" for b, label in BARRIER_LABELS.items()]
            else:
                cells.append(label(c, v))
        out.append(cells)
    folder = f"surveys/{wave}/{center}/surveymonkey"
    mapping = [
        ["source", "column"],
        ["Respondent ID", "response_id"],
        ["End Date", "submitted_at"],
        ["Email Address", "email"],
        ["cohort_id", "cohort_id"],
        ["grantee_id", "grantee_id"],
    ]
    mapping += [[t, c] for c, t in items]
    return (
        NativeFile(
            f"{folder}/{cohort}_{wave}_responses.csv",
            csv_text(out).encode("utf-8"),
            "surveymonkey",
            len(rows),
        ),
        {f"{folder}/COLUMNS.csv": csv_text(mapping).encode("utf-8")},
    )
