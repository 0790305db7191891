"""JSON Schemas of the scenario, plan, event and class-1 route files, generated from the
domain models."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from beredt.domain.events import EventFile
from beredt.domain.plan import Class1Routes, Plan
from beredt.domain.scenario import Scenario

SCHEMAS: dict[str, type[BaseModel]] = {
    "scenario.schema.json": Scenario,
    "plan.schema.json": Plan,
    "event.schema.json": EventFile,
    "class1-routes.schema.json": Class1Routes,
}


def schema_text(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = directory / name
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
