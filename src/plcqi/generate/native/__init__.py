"""Native exports (``shared/contract/SOURCES.md``): the generator's event rows written as the
files TA centers really download from Zoom, Microsoft Teams, Qualtrics, REDCap, SurveyMonkey
and a tracker spreadsheet (``plcqi generate --native none|mix|all``).

The events never depend on the mode: they are made by the generator's one
``random.Random(seed)`` exactly as before, and only then is a part of them *written*
natively. Every native choice (which center is on which platform, its time zone, meeting IDs,
which export has a meeting block, the rows an adapter skips...) comes from a ``random.Random``
of its own, seeded from the seed and the thing chosen for (a session, a center), so the
choices are the same in every mode and ``none`` is today's contract output. The platform's
meeting IDs (``sessions.csv``) and the poll ids a Zoom report yields are fixed by those
choices, so they are written in every mode alike.

What a native file may hold: a row an adapter converts back to exactly the contract row it
came from (people by e-mail, times at whole seconds in the export's local zone, daylight saving
included), plus the rows a layout says are not events (a host, a waiting room, a no-show,
panelists, an organizer, a survey preview, an unfinished REDCap record), which adapters skip.
Contract-breaking rows (``mess.Injector``), the rows a duplicate-key conflict copies,
re-exported duplicate rows and anonymous survey responses (a native survey row without an
e-mail is quarantined, SOURCES.md "People") stay in the contract CSVs they were put in: a
native file is made from clean, first-export, attributable rows only, so the marts built from
any mode are the same.

The package, one module a concern: ``plan`` (every native choice, and which unit is native in
a mode), ``route`` (the split of the events into native files and contract CSVs), ``zoom``,
``teams`` and ``zoom_polls`` (the meeting exports), ``survey_items`` with ``qualtrics``,
``redcap`` and ``surveymonkey`` (the survey exports), ``tracker`` (the TA tracker workbook) and
``write`` (what they share: ``NativeFile``, random streams, local time, time formats, writers).
"""

from __future__ import annotations

from plcqi.generate.native.plan import MODES, POLL_NAMES, ZONES, Plan
from plcqi.generate.native.route import Split, Writer, split
from plcqi.generate.native.survey_items import (
    BARRIER_LABELS,
    LIKERT_ITEMS,
    SIX_MONTH_ONLY,
    SURVEY_INDEX,
    SURVEY_ITEMS,
)
from plcqi.generate.native.tracker import TRACKER_COLUMNS, TRACKER_HEADINGS, stable_zip
from plcqi.generate.native.write import (
    AGREEMENT,
    CONTRACT,
    Ambiguous,
    NativeFile,
    legacy_time,
    local,
    ragged_time,
    sql_time,
    teams_duration,
    teams_time,
    utf16,
    webinar_time,
    zoom_time,
)

__all__ = [
    "AGREEMENT",
    "BARRIER_LABELS",
    "CONTRACT",
    "LIKERT_ITEMS",
    "MODES",
    "POLL_NAMES",
    "SIX_MONTH_ONLY",
    "SURVEY_INDEX",
    "SURVEY_ITEMS",
    "TRACKER_COLUMNS",
    "TRACKER_HEADINGS",
    "ZONES",
    "Ambiguous",
    "NativeFile",
    "Plan",
    "Split",
    "Writer",
    "legacy_time",
    "local",
    "ragged_time",
    "split",
    "sql_time",
    "stable_zip",
    "teams_duration",
    "teams_time",
    "utf16",
    "webinar_time",
    "zoom_time",
]
