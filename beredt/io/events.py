"""Event files (JSON) for ``beredt replan``: one event object, or a list applied in
order. Every problem is reported with its place, e.g. ``[1].window: the window ends at
11:00, before it starts at 12:00`` (``[1]`` is the second event of a list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from beredt.domain.errors import InputError, Problem
from beredt.domain.events import EVENT_TYPES, Event
from beredt.io.files import _parse_json, _problem_message, _read, format_loc

_ONE: TypeAdapter[Event] = TypeAdapter(Event)
_MANY: TypeAdapter[list[Event]] = TypeAdapter(list[Event])


def parse_events(text: str, source: str = "events") -> list[Event]:
    """Parse and validate an event file, raising :class:`InputError` on any problem."""
    data = _parse_json(text, source)
    if isinstance(data, dict):
        return [_validate(_ONE, data, source, prefix=())]
    if isinstance(data, list):
        if not data:
            raise InputError(source, [Problem("", "the list of events is empty")])
        problems: list[Problem] = []
        events: list[Event] = []
        for i, item in enumerate(data):
            try:
                events.append(_validate(_ONE, item, source, prefix=(i,)))
            except InputError as exc:
                problems += exc.problems
        if problems:
            raise InputError(source, problems)
        return events
    raise InputError(source, [Problem("", "the file must contain an event object or a list")])


def load_events(path: Path) -> list[Event]:
    return parse_events(_read(path), str(path))


def _validate(
    adapter: TypeAdapter[Event], data: Any, source: str, prefix: tuple[int, ...]
) -> Event:
    where = format_loc(prefix)
    if not isinstance(data, dict):
        raise InputError(source, [Problem(where, "an event must be a JSON object")])
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            if loc and loc[0] in EVENT_TYPES:  # the union's branch name, not a place
                loc = loc[1:]
            place = format_loc(prefix + loc)
            if error["type"] == "union_tag_invalid":
                message = (
                    f"unknown event type {data.get('type')!r}; choose one of: "
                    f"{', '.join(EVENT_TYPES)}"
                )
                place = format_loc((*prefix, "type"))
            elif error["type"] == "union_tag_not_found":
                message = f"required field is missing (one of: {', '.join(EVENT_TYPES)})"
                place = format_loc((*prefix, "type"))
            else:
                message = _problem_message(dict(error)).replace(
                    "scenario.schema.json", "event.schema.json"
                )
            problems.append(Problem(place, message))
        raise InputError(source, problems) from None
