"""Malformed scenario files give errors that name the place and the problem, a non-zero
exit and never a stack trace."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from beredt.cli import app
from beredt.domain.errors import InputError
from beredt.io import dump_model, parse_scenario


def base() -> dict[str, Any]:
    """A small valid scenario as plain JSON data."""
    office = {"address": "Katrineåsveien 20, 1383 Asker", "location": {"lat": 59.83, "lon": 10.43}}
    return {
        "name": "mini",
        "municipality": {"code": "3203", "name": "Asker"},
        "units": [{"id": "u1", "name": "Asker sentrum", "office": office}],
        "start_date": "2026-11-23",
        "clients": [
            {
                "id": "c1",
                "name": "Astrid Hansen",
                "unit": "u1",
                "address": "Solsvingen 3, 1384 Asker",
                "location": {"lat": 59.835, "lon": 10.44},
                "phone": "+47 912 34 567",
                "relatives": [{"name": "Per Hansen", "agreed_tasks": ["t2"]}],
                "tasks": [
                    {
                        "id": "t1",
                        "name": "Insulin morgen",
                        "kind": "insulin",
                        "windows": [{"start": "07:30", "end": "08:30"}],
                        "duration": 10,
                        "competence": "nurse",
                        "medication": True,
                        "priority_class": 1,
                    },
                    {
                        "id": "t2",
                        "name": "Frokost",
                        "kind": "meal",
                        "windows": [{"start": "07:45", "end": "09:00"}],
                        "duration": 20,
                        "priority_class": 2,
                        "dependencies": [{"after": "t1", "min_gap": 10, "max_gap": 60}],
                    },
                ],
            }
        ],
        "caregivers": [
            {
                "id": "g1",
                "name": "Kari Nordmann",
                "competence": "nurse",
                "home_unit": "u1",
                "shift": {
                    "start": "07:00",
                    "end": "15:00",
                    "break": {"window": {"start": "11:00", "end": "12:30"}, "duration": 30},
                },
            }
        ],
        "availability": [{"caregiver": "g1", "date": "2026-11-23", "status": "present"}],
    }


def problems_of(data: Any) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_scenario(json.dumps(data), "s.json")
    return [str(p) for p in caught.value.problems]


def test_base_is_valid_and_round_trips() -> None:
    scenario = parse_scenario(json.dumps(base()))
    assert parse_scenario(dump_model(scenario)) == scenario


def mutate(path: str, value: Any) -> dict[str, Any]:
    data = base()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()

CASES = [
    (
        "window end before start",
        "clients.0.tasks.0.windows.0",
        {"start": "09:00", "end": "08:00"},
        "clients[0].tasks[0].windows[0]: end 08:00 is before start 09:00",
    ),
    (
        "time not HH:MM",
        "clients.0.tasks.0.windows.0.start",
        "9am",
        "clients[0].tasks[0].windows[0].start: expected a time as 'HH:MM', got '9am'",
    ),
    (
        "priority class out of range",
        "clients.0.tasks.1.priority_class",
        7,
        "clients[0].tasks[1].priority_class: Input should be less than or equal to 5",
    ),
    (
        "misspelt field",
        "clients.0.tasks.0.duraton",
        10,
        "clients[0].tasks[0].duraton: unknown field",
    ),
    ("missing client name", "clients.0.name", DELETE, "clients[0].name: required field is missing"),
    ("unknown unit", "clients.0.unit", "u9", "clients[0].unit: unknown unit 'u9'"),
    (
        "dependency on unknown task",
        "clients.0.tasks.1.dependencies.0.after",
        "t9",
        "clients[0].tasks[1].dependencies[0].after: task 't9' is not one of this client's tasks",
    ),
    (
        "relative agreed to another client's task",
        "clients.0.relatives.0.agreed_tasks.0",
        "t7",
        "clients[0].relatives[0].agreed_tasks[0]: task 't7' is not one of this client's tasks",
    ),
    (
        "shift ends before it starts",
        "caregivers.0.shift.end",
        "06:00",
        "caregivers[0].shift: end 06:00 is not after start 07:00",
    ),
    (
        "municipality code not four digits",
        "municipality.code",
        "32",
        "municipality.code: String should match pattern",
    ),
    (
        "phone with letters",
        "clients.0.phone",
        "call me",
        "clients[0].phone: phone 'call me' is not a phone number",
    ),
    (
        "availability for unknown caregiver",
        "availability.0.caregiver",
        "g9",
        "availability[0].caregiver: unknown caregiver 'g9'",
    ),
    (
        "three caregivers on one visit",
        "clients.0.tasks.0.caregivers",
        3,
        "clients[0].tasks[0].caregivers: Input should be 1 or 2",
    ),
    ("impossible date", "start_date", "2026-02-30", "start_date: Input should be a valid date"),
    (
        "unknown infection status",
        "clients.0.infection",
        [{"status": "contagious", "since": "2026-11-20"}],
        "clients[0].infection[0].status: Input should be",
    ),
    (
        "max gap below min gap",
        "clients.0.tasks.1.dependencies.0.max_gap",
        5,
        "clients[0].tasks[1].dependencies[0]: max_gap 5 is below min_gap 10",
    ),
    (
        "break outside the shift",
        "caregivers.0.shift.break.window",
        {"start": "05:00", "end": "06:00"},
        "caregivers[0].shift: break window does not fit inside the shift",
    ),
]


@pytest.mark.parametrize(("kind", "path", "value", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_scenario_names_place_and_problem(
    kind: str, path: str, value: Any, expected: str
) -> None:
    problems = problems_of(mutate(path, value))
    assert any(p.startswith(expected) for p in problems), (kind, problems)


def test_duplicate_ids_name_both_places() -> None:
    data = base()
    data["clients"].append(copy.deepcopy(data["clients"][0]))
    problems = problems_of(data)
    assert "clients[1]: 'c1' repeats clients[0]" in problems
    assert "clients[1].tasks[0].id: task id 't1' is used twice" in problems


def test_several_problems_are_all_reported() -> None:
    data = mutate("clients.0.unit", "nowhere")
    data["clients"][0]["tasks"][0]["windows"][0] = {"start": "10:00", "end": "09:00"}
    data["caregivers"][0]["competence"] = "surgeon"
    problems = problems_of(data)
    assert len(problems) >= 2  # field errors first; reference errors once fields are valid
    assert any(p.startswith("caregivers[0].competence") for p in problems)


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_scenario('{\n  "name": "x",\n  "units": [}\n', "broken.json")
    assert str(caught.value.problems[0]).startswith("line 3 column 13: not valid JSON")


def test_json_that_is_not_an_object() -> None:
    with pytest.raises(InputError, match="must contain a JSON object"):
        parse_scenario("[1, 2]")


runner = CliRunner()


def test_cli_reports_errors_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(mutate("clients.0.tasks.0.windows.0", {"start": "09:00", "end": "08:00"}))
    )
    for args in (
        ["scenario", "validate", str(path)],
        ["plan", str(path), "-o", str(tmp_path / "p.json")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "clients[0].tasks[0].windows[0]: end 08:00 is before start 09:00" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "p.json").exists()


def test_cli_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scenario", "validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "file not found" in result.output


# Mutations: replace any scalar somewhere in a valid file by a value of the wrong kind.
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=12), st.just("25:99")
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _paths(v, (*prefix, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _paths(v, (*prefix, i))]
    return [prefix]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_corrupted_value_gives_input_error_or_valid_scenario(data: st.DataObject) -> None:
    scenario = base()
    paths = _paths(scenario)
    path = data.draw(st.sampled_from(paths))
    value = data.draw(SCALARS)
    node: Any = scenario
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    try:
        parse_scenario(json.dumps(scenario))
    except InputError as exc:
        assert exc.problems
        assert all(p.message for p in exc.problems)
