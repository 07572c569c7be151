"""The one exception for bad input, carrying every problem found in a file at once."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, and what was expected, in Swedish."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" rad {self.row}"
        if self.column is not None:
            where += f", kolumn \"{self.column}\"" if self.row is not None else f" kolumn \"{self.column}\""
        return f"{where}: {self.message}"


class InputError(ValueError):
    """Raised when a file or form cannot be accepted; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def raise_if(problems: list[Problem]) -> None:
    """Raise InputError when there is anything to report."""
    if problems:
        raise InputError(problems)
