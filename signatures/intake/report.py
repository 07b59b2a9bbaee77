"""What an import found: how many rows are new, duplicates or invalid, and why, line by line for the first few."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext

MAX_EXAMPLES = 100
MAX_REASONS = 50


@dataclass
class ImportReport:
    dry_run: bool = True
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0
    new: int = 0
    duplicate_existing: int = 0
    duplicate_in_file: int = 0
    invalid: int = 0
    imported: int = 0
    # Problems that stop the whole file (a missing column, an unreadable encoding).
    problems: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    # (line, outcome, detail) for the first MAX_EXAMPLES lines that are not new.
    examples: list = field(default_factory=list)

    def refuse(self, problem: str) -> "ImportReport":
        self.problems.append(problem)
        return self

    def add_invalid(self, line: int, reason: str) -> None:
        self.invalid += 1
        if reason in self.reasons or len(self.reasons) < MAX_REASONS:
            self.reasons[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append((line, "invalid", reason))

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows": self.rows,
            "new": self.new,
            "duplicate_existing": self.duplicate_existing,
            "duplicate_in_file": self.duplicate_in_file,
            "invalid": self.invalid,
            "imported": self.imported,
            "problems": self.problems,
            "reasons": dict(self.reasons.most_common()),
            "examples": [list(example) for example in sorted(self.examples)[:MAX_EXAMPLES]],
        }

    def lines(self) -> list[str]:
        """The report as text, for the command line."""
        return report_lines(self.as_dict())


OUTCOME_LABELS = {
    "invalid": "invalid",
    "duplicate_existing": "duplicate of an existing signature",
    "duplicate_in_file": "duplicate within the file",
}


def report_lines(report: dict) -> list[str]:
    if report["problems"]:
        return [gettext("The file was not imported:")] + [f"- {problem}" for problem in report["problems"]]
    lines = [
        gettext("Dry run: nothing was imported.") if report["dry_run"] else gettext("Import finished."),
        gettext("Encoding: %(encoding)s; delimiter: %(delimiter)s")
        % {"encoding": report["encoding"], "delimiter": repr(report["delimiter"])},
        gettext("Rows: %(n)d") % {"n": report["rows"]},
        gettext("New: %(n)d") % {"n": report["new"]},
        gettext("Duplicate of an existing signature: %(n)d") % {"n": report["duplicate_existing"]},
        gettext("Duplicate within the file: %(n)d") % {"n": report["duplicate_in_file"]},
        gettext("Invalid: %(n)d") % {"n": report["invalid"]},
    ]
    if not report["dry_run"]:
        lines.append(gettext("Imported: %(n)d") % {"n": report["imported"]})
    if report["reasons"]:
        lines.append(gettext("Why rows are invalid:"))
        lines += [f"  {count:>8}  {reason}" for reason, count in report["reasons"].items()]
    if report["examples"]:
        lines.append(gettext("First lines that are not new:"))
        lines += [
            f"  {gettext('line')} {line}: {OUTCOME_LABELS.get(outcome, outcome)}" + (f" ({detail})" if detail else "")
            for line, outcome, detail in report["examples"]
        ]
    return lines
