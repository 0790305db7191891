"""The public home-healthcare routing benchmark (HHCRSP): read instances and solutions,
score solutions by the benchmark's rules, and run a solver over a folder of instances.

Pure Python: no Django, no database. See ``shared/benchmarks/hhcrsp/README.md`` for the
format and :mod:`beredt.benchmarks.hhcrsp.score` for the rules as implemented.
"""

from beredt.benchmarks.hhcrsp.instance import (
    Caregiver,
    Instance,
    Patient,
    Service,
    ServiceRequest,
    Sync,
    read_instance,
)
from beredt.benchmarks.hhcrsp.score import EPS, Score, score
from beredt.benchmarks.hhcrsp.solution import (
    Route,
    RouteLocation,
    Solution,
    read_solution,
    write_solution,
)

__all__ = [
    "EPS",
    "Caregiver",
    "Instance",
    "Patient",
    "Route",
    "RouteLocation",
    "Score",
    "Service",
    "ServiceRequest",
    "Solution",
    "Sync",
    "read_instance",
    "read_solution",
    "score",
    "write_solution",
]
