"""Clock times of day as minutes after midnight.

Scenario and plan files write times as ``"HH:MM"``; inside beredt a time of day is an
``int`` number of minutes so that arithmetic (travel, gaps, tardiness) stays exact.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_clock(value: Any) -> int:
    """Parse ``"HH:MM"`` (or an int of minutes) into minutes after midnight.

    ``24:00`` is accepted as the end of the day. Raises ``ValueError`` with a message
    that a planner can act on.
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a time as 'HH:MM', got {value!r}")
    if isinstance(value, int):
        minutes = value
    elif isinstance(value, str):
        match = _HHMM.match(value.strip())
        if not match:
            raise ValueError(f"expected a time as 'HH:MM', got {value!r}")
        hours, mins = int(match.group(1)), int(match.group(2))
        if mins >= 60:
            raise ValueError(f"minutes must be 00-59 in {value!r}")
        minutes = hours * 60 + mins
    else:
        raise ValueError(f"expected a time as 'HH:MM', got {value!r}")
    if not 0 <= minutes <= MINUTES_PER_DAY:
        raise ValueError(f"time {value!r} is outside 00:00-24:00")
    return minutes


def format_clock(minutes: int) -> str:
    """Format minutes after midnight as ``"HH:MM"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Clock = Annotated[
    int,
    BeforeValidator(parse_clock),
    PlainSerializer(format_clock, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$", "examples": ["07:30"]}),
]
"""A time of day: ``"HH:MM"`` in files, minutes after midnight in code."""
