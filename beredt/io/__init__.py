"""Reading and writing beredt's files: scenarios, plans, events, class-1 routes and their
JSON Schemas."""

from beredt.io.events import load_events, parse_events
from beredt.io.files import (
    dump_model,
    load_class1_routes,
    load_plan,
    load_scenario,
    parse_class1_routes,
    parse_plan,
    parse_scenario,
    save_model,
)

__all__ = [
    "dump_model",
    "load_class1_routes",
    "load_events",
    "load_plan",
    "load_scenario",
    "parse_class1_routes",
    "parse_events",
    "parse_plan",
    "parse_scenario",
    "save_model",
]
