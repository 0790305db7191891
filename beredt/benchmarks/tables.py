"""Markdown and CSV tables for the benchmarks (one way to write them for all)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Headers = Sequence[tuple[str, str]]
"""(field, column label) pairs, in column order."""


def markdown(
    headers: Headers, rows: Sequence[Mapping[str, object]], cell: Callable[[str, object], str]
) -> list[str]:
    """A pipe table, one line per element; ``cell(field, value)`` formats each value."""
    lines = [
        "| " + " | ".join(label for _, label in headers) + " |",
        "|" + "---|" * len(headers),
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(k, row[k]) for k, _ in headers) + " |")
    return lines


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> None:
    """``rows`` under the header ``columns`` (other keys of a row are left out)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
