"""What an import did, or would do: counts, the rows refused and why (the first MAX_LISTED_ERRORS), a sample of
the changes."""

from dataclasses import dataclass, field

from ..figures import access

# The errors a report lists in full (in file order); ``error_count`` says how many there are in all.
MAX_LISTED_ERRORS = 1_000
# Changes an import's report shows (a sample of what it writes).
CHANGE_SAMPLE = 50


@dataclass
class RowError:
    line: int
    column: str | None
    code: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_LISTED_ERRORS, in file order
    error_count: int = 0  # all of them
    rejected: int = 0  # rows with at least one error
    changes: list[dict] = field(default_factory=list)  # a sample of what was (or would be) written

    def set_errors(self, errors: list[RowError]) -> None:
        errors = sorted(errors, key=lambda e: (e.line, e.column or ""))
        self.error_count, self.rejected = len(errors), len({error.line for error in errors})
        self.errors = errors[:MAX_LISTED_ERRORS]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.error_count


@dataclass
class Outcome:
    """What a writer did, or in a dry run would do: counts, the lines it refused for want of the right to publish
    (nothing is written then), and a sample of the changes (the first CHANGE_SAMPLE)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[int] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    def refusals(self) -> list[RowError]:
        return [RowError(line, "status", "permission_denied", str(access.PUBLISH_ONLY)) for line in self.refused]
