"""Reading and writing beredt's files: scenarios, plans and their JSON Schemas."""

from beredt.io.files import (
    dump_model,
    load_plan,
    load_scenario,
    parse_plan,
    parse_scenario,
    save_model,
)

__all__ = [
    "dump_model",
    "load_plan",
    "load_scenario",
    "parse_plan",
    "parse_scenario",
    "save_model",
]
