"""What a validation found, as plain data: no Great Expectations import here.

A :class:`ValidationResult` is what ``plcqi.quality.validate`` returns, what the results history
stores as JSON and what the Data Docs page and the reports' data-quality section read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass
class Finding:
    """One expectation's outcome (failed or passed) in one suite."""

    suite: str
    expectation: str  # the expectation type, e.g. expect_column_values_to_be_between
    column: str | None
    severity: str  # error | warning
    success: bool
    observed: Any = None  # the observed value, or a short list of unexpected values
    message: str = ""
    description: str = ""
    unexpected_count: int | None = None
    element_count: int | None = None
    unexpected_rows: list[dict] = field(default_factory=list)  # up to N, with row ids
    kwargs: dict = field(default_factory=dict)


@dataclass
class SuiteSummary:
    suite: str
    batch: str
    rows: int
    expectations: int
    passed: int
    errors: int
    warnings: int
    seconds: float = 0.0

    @property
    def status(self) -> str:
        return "failed" if self.errors else "warning" if self.warnings else "passed"


@dataclass
class ValidationResult:
    """The outcome of validating one stage (``raw`` or ``marts``) of a data directory."""

    stage: str
    validated_at: str  # ISO UTC timestamp of the run
    as_of: str | None
    data_dir: str
    findings: list[Finding] = field(default_factory=list)
    suites: list[SuiteSummary] = field(default_factory=list)
    seconds: float = 0.0
    results_file: str | None = None  # where the history JSON was written

    @property
    def errors(self) -> list[Finding]:
        """Failed error-level expectations: each one stops the publish step."""
        return [f for f in self.findings if not f.success and f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Failed warning-level expectations: reported, stop nothing."""
        return [f for f in self.findings if not f.success and f.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        return "failed" if self.errors else "warning" if self.warnings else "passed"

    def summary_for_reports(self) -> list[dict]:
        """One row per suite for the reports' data-quality section (plain JSON types).

        Each row: stage, suite, batch, status (passed|warning|failed), rows, expectations,
        passed, errors, warnings, validated_at, and ``messages``: the failure messages,
        errors first.
        """
        by_suite: dict[str, list[Finding]] = {}
        for f in self.errors + self.warnings:
            by_suite.setdefault(f.suite, []).append(f)
        return [
            {
                "stage": self.stage,
                "suite": s.suite,
                "batch": s.batch,
                "status": s.status,
                "rows": s.rows,
                "expectations": s.expectations,
                "passed": s.passed,
                "errors": s.errors,
                "warnings": s.warnings,
                "validated_at": self.validated_at,
                "messages": [f"{f.severity}: {f.message}" for f in by_suite.get(s.suite, [])],
            }
            for s in self.suites
        ]

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(ok=self.ok, status=self.status, errors=len(self.errors),
                 warnings=len(self.warnings))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ValidationResult:
        return cls(
            stage=d["stage"],
            validated_at=d["validated_at"],
            as_of=d.get("as_of"),
            data_dir=d.get("data_dir", ""),
            findings=[Finding(**f) for f in d.get("findings", [])],
            suites=[SuiteSummary(**s) for s in d.get("suites", [])],
            seconds=d.get("seconds", 0.0),
            results_file=d.get("results_file"),
        )

    def report(self) -> str:
        """A plain-text account for the command line."""
        lines = [
            f"{self.stage}: {self.status} - {len(self.suites)} suite(s), "
            f"{sum(s.expectations for s in self.suites)} expectation(s), "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) "
            f"in {self.seconds:.1f}s"
        ]
        lines += [f"  ERROR   {f.message}" for f in self.errors]
        lines += [f"  warning {f.message}" for f in self.warnings]
        return "\n".join(lines)
