"""REDCap survey exports: one record per response (checkbox fields for the barriers), and the
records opened but never submitted (``[not completed]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plcqi.generate.native.survey_items import BARRIER_LABELS, LIKERT_ITEMS, SURVEY_INDEX, label
from plcqi.generate.native.write import NativeFile, csv_text, local, parse_ts, sql_time

if TYPE_CHECKING:
    from plcqi.generate.native.plan import Plan


def redcap(plan: Plan, wave, cohort, center, tz, rows, items, r) -> NativeFile:
    instrument = "midpoint_survey" if wave == "midpoint" else "six_month_followup"
    fields = []
    for c, _ in items:
        if c == "barriers":
            fields += [f"barriers___{b}" for b in BARRIER_LABELS]
        else:
            fields.append(c)
    head = [
        "record_id",
        "redcap_survey_identifier",
        f"{instrument}_timestamp",
        "cohort_id",
        "grantee_id",
        "email",
        *fields,
        f"{instrument}_complete",
    ]
    out = [head]

    def cells(row, complete):
        values = []
        for c, _ in items:
            v = row[SURVEY_INDEX[c]] if row else ""
            if c == "barriers":
                picked = set(v.split(";")) if v else set()
                values += ["Checked" if b in picked else "Unchecked" for b in BARRIER_LABELS]
            elif c in LIKERT_ITEMS:
                values.append(v)  # a 1-5 field: the integer
            else:
                values.append(label(c, v))
        return values + [complete]

    for row in rows:
        p = plan.by_pid.get(row[3])
        email = p.email if p else ""
        out.append(
            [
                row[0],
                email,
                sql_time(local(parse_ts(row[4]), tz)),
                row[1],
                row[2],
                email,
                *cells(row, "Complete"),
            ]
        )
    drafts = 1 + (r.random() < 0.3)
    team = plan.teams_of[cohort]
    for n in range(drafts):  # opened, never submitted
        p = r.choice(team)
        out.append(
            [
                f"{cohort}-draft-{n + 1}",
                p.email,
                "[not completed]",
                cohort,
                p.grantee_id,
                p.email,
                *cells(None, "Incomplete"),
            ]
        )
    return NativeFile(
        f"surveys/{wave}/{center}/redcap/{cohort}_{instrument}_export.csv",
        csv_text(out).encode("utf-8"),
        "redcap",
        len(rows),
        {"not_completed": drafts},
    )
