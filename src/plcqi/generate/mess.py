"""Realistic mess and injected contract-breaking rows.

Two kinds of imperfection, kept strictly apart:

* **valid mess** (must load): reconnect rows, e-mail-only attendance rows, item non-response,
  tracker change rows (made where the data are made), exact duplicate rows across two
  attendance exports, a BOM, CRLF line endings, odd header spelling, an unexpected column
  (chosen here, applied by the writer);
* **injected bad rows** (must be quarantined): each is a modified *copy* of a clean row, inserted
  into an event file and listed in the manifest with its 1-based data row number, the contract
  column ingestion blames, and its kind. Every injected row breaks exactly one rule (a fresh
  key is used where a copied key would also make it a conflicting duplicate). Reference files
  are never touched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

KINDS = (
    "unknown_grantee_id",
    "unknown_session_id",
    "unknown_cohort_id",
    "unparseable_datetime",
    "leave_before_join",
    "likert_out_of_range",
    "unknown_enum",
    "duplicate_key_conflict",
)
SHARE = 0.005  # of event rows
SURVEY_ITEMS = {5: "knowledge_gain", 6: "relevance", 7: "within_state_connections",
                8: "across_state_connections"}


@dataclass
class Known:
    """Keys that exist, so the invented ones surely do not."""

    grantees: dict[str, None]
    sessions: dict[str, None]
    cohorts: dict[str, None]


def dataset_of(path: str) -> str:
    for prefix in ("surveys/midpoint", "surveys/six_month", "attendance", "polls", "ta_requests"):
        if path.startswith(prefix + "/"):
            return prefix
    raise ValueError(path)


class Injector:
    def __init__(self, rng: random.Random, known: Known) -> None:
        self.rng = rng
        self.known = known
        self.fresh = 0

    def _fresh(self, prefix: str) -> str:
        self.fresh += 1
        return f"{prefix}-X{self.fresh:05d}"

    def _bad_datetime(self, value: str) -> str:
        rng = self.rng
        year, rest = value[:4], value[10:] or "T10:00:00"
        return rng.choice((f"{year}-02-30{rest}", f"{year}-13-05{rest}", "#VALUE!", "TBD"))

    def _unknown(self, pool: dict[str, None], candidates: list[str]) -> str:
        for c in candidates:
            if c not in pool:
                return c
        n = 0
        while f"ZX{n:04d}" in pool:
            n += 1
        return f"ZX{n:04d}"

    def unknown_grantee(self) -> str:
        rng = self.rng
        cands = rng.sample(["ZZ", "XA", "QX", "T-9999", "T-0000", "US", "NYC"], 7)
        return self._unknown(self.known.grantees, cands)

    def unknown_session(self, sid: str) -> str:
        base = sid.rsplit("-S", 1)[0]
        return self._unknown(self.known.sessions, [f"{base}-S{n}" for n in (97, 98, 99)])

    def unknown_cohort(self, cid: str) -> str:
        base = cid.rsplit("-C", 1)[0]
        return self._unknown(self.known.cohorts, [f"{base}-C{n}" for n in (7, 8, 9)])

    # Each variant: (kind, dataset, make) where make(row) -> (bad row, column, after_original).
    def variants(self) -> list[tuple[str, str, object]]:
        rng = self.rng

        def att_session(r):
            r[0] = self.unknown_session(r[0])
            return r, "session_id", False

        def att_date(r):
            r[3] = self._bad_datetime(r[3])
            return r, "join_time", False

        def att_leave(r):
            j = datetime.fromisoformat(r[3])
            r[4] = (j - timedelta(minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
                    ).isoformat()
            return r, "leave_time", False

        def poll_session(r):
            r[0] = self.unknown_session(r[0])
            return r, "session_id", False

        def poll_likert(r):
            r[6] = rng.choice(("0", "6", "7", "10"))
            return r, "response_value", False

        def survey(prefix):
            def grantee(r):
                r[0], r[2], r[3] = self._fresh(prefix), self.unknown_grantee(), ""
                return r, "grantee_id", False

            def cohort(r):
                r[0], r[1] = self._fresh(prefix), self.unknown_cohort(r[1])
                return r, "cohort_id", False

            def date(r):
                r[0], r[4] = self._fresh(prefix), self._bad_datetime(r[4])
                return r, "submitted_at", False

            def likert(r):
                i = rng.choice(list(SURVEY_ITEMS))
                r[0], r[i] = self._fresh(prefix), rng.choice(("0", "6", "7", "9"))
                return r, SURVEY_ITEMS[i], False

            def duplicate(r):
                for i in (5, 6):  # other answers under the same response_id
                    r[i] = str(rng.choice([v for v in range(1, 6) if str(v) != r[i]]))
                return r, "response_id", True

            return grantee, cohort, date, likert, duplicate

        def ta_grantee(r):
            r[0], r[1] = self._fresh("TA"), self.unknown_grantee()
            return r, "grantee_id", False

        def ta_date(r):
            r[0], r[2] = self._fresh("TA"), self._bad_datetime(r[2])
            return r, "submitted_at", False

        def ta_enum(r):
            r[0] = self._fresh("TA")
            if rng.random() < 0.5:
                r[4] = rng.choice(("consultation", "site_visit", "peer-to-peer"))
                return r, "request_type", False
            r[7] = rng.choice(("pending", "on_hold", "approved"))
            return r, "plan_status", False

        def ta_duplicate(r):
            others = ("initial", "intermediate", "final", "closed", "withdrawn")
            r[7] = rng.choice([s for s in others if s != r[7]])
            return r, "request_id", True

        mg, mc, md, ml, mdup = survey("MID")
        sg, sc, sd, sl, sdup = survey("SIX")
        return [
            ("unknown_session_id", "attendance", att_session),
            ("unparseable_datetime", "attendance", att_date),
            ("leave_before_join", "attendance", att_leave),
            ("unknown_session_id", "polls", poll_session),
            ("likert_out_of_range", "polls", poll_likert),
            ("unknown_grantee_id", "surveys/midpoint", mg),
            ("unknown_cohort_id", "surveys/midpoint", mc),
            ("unparseable_datetime", "surveys/midpoint", md),
            ("likert_out_of_range", "surveys/midpoint", ml),
            ("duplicate_key_conflict", "surveys/midpoint", mdup),
            ("unknown_grantee_id", "surveys/six_month", sg),
            ("unknown_cohort_id", "surveys/six_month", sc),
            ("likert_out_of_range", "surveys/six_month", sl),
            ("duplicate_key_conflict", "surveys/six_month", sdup),
            ("unparseable_datetime", "surveys/six_month", sd),
            ("unknown_grantee_id", "ta_requests", ta_grantee),
            ("unparseable_datetime", "ta_requests", ta_date),
            ("unknown_enum", "ta_requests", ta_enum),
            ("duplicate_key_conflict", "ta_requests", ta_duplicate),
        ]

    def inject(self, files: dict[str, list[list[str]]]) -> list[dict]:
        """Insert bad rows into ``files`` (in place); return the manifest entries."""
        rng = self.rng
        by_ds: dict[str, list[str]] = {}
        for path, rows in files.items():
            if rows:
                by_ds.setdefault(dataset_of(path), []).append(path)
        sizes = {ds: sum(len(files[p]) for p in paths) for ds, paths in by_ds.items()}
        variants = [v for v in self.variants() if v[1] in by_ds]
        per_ds = {ds: sum(1 for v in variants if v[1] == ds) for ds in by_ds}
        total = max(len(variants), round(SHARE * sum(sizes.values())))
        chosen = list(variants)
        weights = [sizes[v[1]] / per_ds[v[1]] for v in variants]
        chosen += rng.choices(variants, weights, k=total - len(variants))
        used: dict[tuple[str, int], None] = {}
        inserts: dict[str, list[tuple[int, int, list[str], str, str]]] = {}
        for seq, (kind, ds, make) in enumerate(chosen):
            paths = by_ds[ds]
            while True:
                path = rng.choices(paths, [len(files[p]) for p in paths])[0]
                idx = rng.randrange(len(files[path]))
                src = files[path][idx]
                if (path, idx) in used:
                    continue
                if make.__name__ == "poll_likert" and src[4] != "likert5":
                    continue
                if make.__name__ == "duplicate" and not (src[5] or src[6]):
                    continue
                break
            used[(path, idx)] = None
            row, column, after = make(list(src))
            pos = rng.randint(idx + 1, len(files[path])) if after else rng.randint(
                0, len(files[path]))
            inserts.setdefault(path, []).append((pos, seq, row, column, kind))
        manifest = []
        for path in sorted(inserts):
            clean = files[path]
            merged: list[list[str]] = []
            pending = sorted(inserts[path], key=lambda x: (x[0], x[1]))
            k = 0
            for i in range(len(clean) + 1):
                while k < len(pending) and pending[k][0] == i:
                    _, _, row, column, kind = pending[k]
                    merged.append(row)
                    manifest.append({"file": path, "row": len(merged), "column": column,
                                     "kind": kind})
                    k += 1
                if i < len(clean):
                    merged.append(clean[i])
            files[path] = merged
        manifest.sort(key=lambda m: (m["file"], m["row"]))
        return manifest


def duplicate_exports(rng: random.Random, files: dict[str, list[list[str]]]) -> int:
    """A re-export: some rows of one monthly attendance file appear again in the next one."""
    paths = sorted(p for p in files if p.startswith("attendance/"))
    n = 0
    for a, b in list(zip(paths, paths[1:], strict=False))[::4]:
        rows = files[a]
        k = max(1, len(rows) // 200)
        files[b].extend(list(r) for r in rows[-k:])
        n += k
    return n


@dataclass
class Style:
    """How one file is written: valid variations of the CSV shape."""

    bom: bool = False
    crlf: bool = False
    header: list[str] | None = None
    extra: tuple[str, list[str]] | None = None  # (column name, one value per row)


def styles(rng: random.Random, files: dict[str, list[list[str]]],
           columns: dict[str, list[str]]) -> dict[str, Style]:
    """Pick the files that get a BOM, CRLF, an odd header, and an unexpected extra column.

    Called after injection, so the extra column covers every row.
    """
    out: dict[str, Style] = {}
    polls = sorted(p for p in files if p.startswith("polls/"))
    tas = sorted(p for p in files if p.startswith("ta_requests/"))
    mids = sorted(p for p in files if p.startswith("surveys/midpoint/"))
    atts = sorted(p for p in files if p.startswith("attendance/"))
    if polls:
        out.setdefault(polls[0], Style()).bom = True
    if tas:
        out.setdefault(tas[min(1, len(tas) - 1)], Style()).crlf = True
    if mids:
        cols = columns["surveys/midpoint"]
        out.setdefault(mids[0], Style()).header = [
            f"  {c.upper()} " if i % 3 == 0 else c.upper() for i, c in enumerate(cols)]
    if atts:
        path = atts[len(atts) // 2]
        values = [rng.choice(("web", "web", "app", "phone")) for _ in files[path]]
        out.setdefault(path, Style()).extra = ("connection_type", values)
    return out
