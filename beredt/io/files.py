"""Scenario and plan files (JSON). Every problem in a file is reported with its place,
e.g. ``clients[12].tasks[3].windows[0]: end 08:00 is before start 09:00``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from beredt.domain.errors import InputError, Problem
from beredt.domain.plan import Class1Routes, Plan
from beredt.domain.scenario import Scenario

M = TypeVar("M", bound=BaseModel)


def format_loc(loc: tuple[int | str, ...]) -> str:
    """``('clients', 12, 'tasks', 3)`` → ``clients[12].tasks[3]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or part.startswith(("function-", "json-or-python")):
            continue  # pydantic's names for validator/union branches, not a place in the file
        else:
            out += f".{part}" if out else part
    return out


def _problem_message(error: dict[str, Any]) -> str:
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; see docs/scenario.schema.json)"
    if error["type"] == "missing":
        return "required field is missing"
    return message


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        problem = Problem(format_loc(tuple(error["loc"])), _problem_message(dict(error)))
        if problem not in problems:
            problems.append(problem)
    return problems


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            source, [Problem(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}")]
        ) from None


def _validate(model: type[M], data: Any, source: str) -> M:
    if not isinstance(data, dict):
        raise InputError(source, [Problem("", "the file must contain a JSON object")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, problems_from_validation(exc)) from None


def parse_scenario(text: str, source: str = "scenario") -> Scenario:
    """Parse and fully validate a scenario, raising :class:`InputError` on any problem."""
    scenario = _validate(Scenario, _parse_json(text, source), source)
    problems = scenario.reference_problems()
    if problems:
        raise InputError(source, problems)
    return scenario


def parse_plan(text: str, source: str = "plan") -> Plan:
    return _validate(Plan, _parse_json(text, source), source)


def parse_class1_routes(text: str, source: str = "class-1 routes") -> Class1Routes:
    return _validate(Class1Routes, _parse_json(text, source), source)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), [Problem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(_read(path), str(path))


def load_plan(path: Path) -> Plan:
    return parse_plan(_read(path), str(path))


def load_class1_routes(path: Path) -> Class1Routes:
    return parse_class1_routes(_read(path), str(path))


def dump_model(model: BaseModel) -> str:
    """Canonical JSON for a scenario or plan (by alias, stable key order from the model)."""
    return model.model_dump_json(by_alias=True, indent=2, exclude_none=False) + "\n"


def save_model(model: BaseModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dump_model(model), encoding="utf-8")
    tmp.replace(path)  # never leave a half-written file behind
