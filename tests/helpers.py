"""Helpers the tests share: the valid reference landing set, writing landing files and
reading back the raw zone, quarantine and ingest log (through ``plcqi.ingest.rawzone``)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb

from plcqi.ingest.rawzone import Zone, parquet_list

REPO = Path(__file__).resolve().parents[1]
TEST_SECRET = "test-secret-for-plcqi-tests-at-least-32-bytes"
ADMIN_DSN = os.environ.get("PLCQI_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")

# The people of the reference set: (participant_id, grantee_id, full_name, email).
PEOPLE = (
    ("P001", "G01", "Ada Lovelace", "ada.lovelace@example.org"),
    ("P002", "G02", "Grace Hopper", "grace.hopper@example.gov"),
    ("P003", "G03", "Katherine Johnson", "kjohnson@example.net"),
    ("P004", "G04", "Dorothy Vaughan", "Dorothy.Vaughan@Example.com"),
)

REFERENCE = {
    "centers.csv": """\
center_id,center_name,funding_office
C1,Center for Child Care Policy,OCC
C2,Head Start Collaboration Center,OHS
""",
    "grantees.csv": """\
grantee_id,grantee_name,grantee_type,acf_region
G01,Alabama,state,4
G02,Guam,territory,9
G03,Cherokee Nation,tribe,6
G04,District of Columbia,district,3
""",
    "opportunities.csv": """\
opportunity_id,title,center_id,partner_center_ids,format,topic,intended_outcome,ta_type,\
participation_mode,attendance_expectation,planned_sessions,start_date,end_date,followup_offered
O1,Licensing PLC,C1,C2,PLC,licensing,policy_implementation,targeted,team,all_sessions,4,\
2024-01-15,2024-06-30,after_opportunity
O2,Open Space on Workforce,C2,,OpenSpace,workforce,knowledge,universal,individual,optional,2,\
2024-03-01,,none
""",
    "cohorts.csv": """\
cohort_id,opportunity_id,cohort_number,label
K1,O1,1,Spring 2024
K2,O2,1,
""",
    "sessions.csv": """\
session_id,cohort_id,session_number,session_type,title,scheduled_start,duration_minutes,status
S1,K1,1,kickoff,Kickoff,2024-01-15T14:00:00,90,delivered
S2,K1,2,webinar,Session 2,2024-02-15T14:00:00-05:00,60,delivered
S3,K1,3,webinar,Session 3,2024-03-15T14:00:00,60,cancelled
S4,K2,1,webinar,Open space,2024-03-01T15:00:00Z,60,delivered
""",
    "participants.csv": "participant_id,grantee_id,full_name,email,organization,role_title,"
    "is_lead_agency,is_contractor\n"
    + "".join(
        f"{pid},{gid},{name},{email},Agency of {gid},Director,{lead},false\n"
        for (pid, gid, name, email), lead in zip(PEOPLE, ("true", "no", "Y", "0"), strict=True)
    ),
    "team_members.csv": """\
cohort_id,participant_id,role_on_team
K1,P001,lead
K1,P002,member
""",
    "enrollments.csv": """\
cohort_id,grantee_id,invited_on,registered_on,intake_completed
K1,G01,2023-12-01,2023-12-10,yes
K1,G02,2023-12-01,,no
K2,G03,2024-02-01,2024-02-10,1
""",
    "toc_targets.csv": """\
opportunity_id,metric,comparator,target_value
O1,attendance_rate,>=,0.75
O1,max_gap_days,<=,45
""",
}


def write_csv(path: Path, content: str | bytes | Iterable[Iterable[object]]) -> Path:
    """Write a landing file: text as is (UTF-8), bytes as is, or rows joined with commas."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        text = "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in content)
        path.write_bytes(text.encode("utf-8"))
    return path


def write_reference(data_dir: Path, **overrides: str) -> Path:
    """The valid reference landing set under ``data_dir/landing/reference/``.

    ``overrides`` replace a file's text by its stem, e.g. ``grantees="..."``.
    """
    folder = Path(data_dir) / "landing" / "reference"
    for name, text in REFERENCE.items():
        write_csv(folder / name, overrides.get(name.removesuffix(".csv"), text))
    return Path(data_dir)


def _read(files: list[Path]) -> list[dict]:
    if not files:
        return []
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        listing = parquet_list(files)
        cur = con.execute(
            f"select * exclude (filename) from read_parquet({listing}, union_by_name = true, "
            "filename = true) order by filename, _file, _row"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def read_raw(data_dir: Path, dataset: str) -> list[dict]:
    """Every row of every raw file of ``dataset`` (not the empty schema file), by file/row."""
    return _read(Zone(Path(data_dir)).raw_files(dataset))


def read_quarantine(data_dir: Path, dataset: str) -> list[dict]:
    return _read(Zone(Path(data_dir)).quarantine_files(dataset))


def read_log_records(data_dir: Path, dataset: str | None = None) -> list[dict]:
    root = Path(data_dir) / "ingest_log"
    pattern = f"{dataset}/*.json" if dataset else "**/*.json"
    return [json.loads(p.read_text()) for p in sorted(root.glob(pattern))]


def raw_files(data_dir: Path, dataset: str) -> list[Path]:
    return Zone(Path(data_dir)).raw_files(dataset)


def _differences(expected, actual, path="$", out=None, limit=10) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            elif key not in expected:
                out.append(f"{path}.{key}: new")
            else:
                _differences(expected[key], actual[key], f"{path}.{key}", out, limit)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: {len(expected)} items expected, {len(actual)} found")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _differences(e, a, f"{path}[{i}]", out, limit)
    elif expected != actual:
        out.append(f"{path}: expected {expected!r}, found {actual!r}")
    return out[:limit]


def check_snapshot(actual, path: Path, update: bool) -> None:
    """Compare JSON-able ``actual`` with the snapshot file ``path``.

    A snapshot catches unintended changes; it is not the specification (the hand-computed
    assertions beside it are). After an intended change, rewrite it with
    ``uv run pytest --update-goldens <test file>`` and review the diff in git."""
    if update:
        path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
        return
    expected = json.loads(path.read_text())
    if expected != actual:
        lines = "\n".join(_differences(expected, actual))
        raise AssertionError(
            f"{path.name} differs from the snapshot (first differences below). If the change "
            f"is intended: uv run pytest --update-goldens, then review the diff.\n{lines}"
        )


_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


def names_in(text: str, names: Iterable[str]) -> list[str]:
    """The ``names`` (people's full names) that occur in ``text`` as a run of words, in any
    letter case and spacing: one pass over the text, not one scan per name.

    >>> names_in("Shared by ADA  Lovelace, twice", ["Ada Lovelace", "Grace Hopper"])
    ['Ada Lovelace']
    """
    wanted: dict[tuple[str, ...], str] = {}
    for name in names:
        words = tuple(w.lower() for w in _WORD.findall(name))
        if words:
            wanted[words] = name
    sizes = {len(k) for k in wanted}
    words = [w.lower() for w in _WORD.findall(text)]
    found = set()
    for n in sizes:
        for i in range(len(words) - n + 1):
            hit = wanted.get(tuple(words[i:i + n]))
            if hit is not None:
                found.add(hit)
    return sorted(found)


def duplicate_ids(html: str) -> list[str]:
    """The element ids that occur more than once in an HTML page (a link to ``#id`` or an
    ``aria-labelledby`` then points at the wrong element)."""
    from collections import Counter
    from html.parser import HTMLParser

    seen: Counter[str] = Counter()

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if name == "id" and value:
                    seen[value] += 1

        handle_startendtag = handle_starttag

    Ids().feed(html)
    return sorted(i for i, n in seen.items() if n > 1)
