"""Errors a user can cause, with the place in the input they come from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an input, e.g. ``clients[12].tasks[3].windows[0]: end 08:00 is
    before start 09:00``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class BeredtError(Exception):
    """Base class for errors caused by input, shown to the user without a stack trace."""


class InputError(BeredtError):
    """An input file or value is invalid; ``problems`` names each place."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun}\n{lines}")
