"""Reading and writing beredt's files: scenarios, plans, events and their JSON Schemas."""

from beredt.io.events import load_events, parse_events
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
    "load_events",
    "load_plan",
    "load_scenario",
    "parse_events",
    "parse_plan",
    "parse_scenario",
    "save_model",
]
