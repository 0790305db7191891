"""Solve an HHCRSP instance with beredt's planning engine.

The instance is translated into the engine's :class:`~beredt.planning.engine.model.Model`
exactly as home-care days are: every (patient, service) is a mandatory job, a caregiver
may do the services in its abilities, a two-service patient's jobs form a group (served
by two different caregivers) tied by a synchronisation (simultaneous = gap 0..0,
sequential = the published min/max gap), and the objective is the benchmark's
``(distance + total tardiness + max tardiness) / 3``.
"""

from __future__ import annotations

from beredt.benchmarks.hhcrsp.instance import Instance
from beredt.benchmarks.hhcrsp.solution import Route, RouteLocation, Solution
from beredt.planning.engine.model import (
    EngineCaregiver,
    Job,
    Model,
    ProgressCallback,
    SearchParameters,
    Sync,
    Weights,
)

MANDATORY = 1e7
"""Penalty of an unserved job: far above any route cost, so all are served."""


def build_model(instance: Instance) -> tuple[Model, list[tuple[str, str]]]:
    """The engine model and, per job, its (patient id, service id)."""
    model = Model(weights=Weights(travel=1 / 3, tardiness=1 / 3, max_tardiness=1 / 3))
    model.add_matrix(instance.distances)
    depot = 0
    for _ in instance.caregivers:
        model.add_caregiver(EngineCaregiver(start_location=depot, end_location=depot))
    keys: list[tuple[str, str]] = []
    for number, patient in enumerate(instance.patients):
        location = instance.index_of(patient.id)
        two = len(patient.services) == 2
        jobs = []
        for request in patient.services:
            eligible = tuple(
                k for k, c in enumerate(instance.caregivers) if request.service in c.abilities
            )
            jobs.append(
                model.add_job(
                    Job(
                        location=location,
                        duration=request.duration,
                        earliest=patient.time_window[0],
                        latest=patient.time_window[1],
                        eligible=eligible,
                        penalty=MANDATORY,
                        client=number,
                        group=number if two else -1,
                    )
                )
            )
            keys.append((patient.id, request.service))
        if two and patient.synchronization is not None:
            sync = patient.synchronization
            model.add_sync(Sync(jobs[0], jobs[1], sync.min_gap, sync.max_gap))
    return model, keys


def solve_instance(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    max_iterations: int = 0,
) -> Solution:
    model, keys = build_model(instance)
    result = model.solve(
        SearchParameters(time_limit=time_limit, seed=seed, max_iterations=max_iterations),
        progress=progress,
    )
    routes = []
    served = {route.caregiver: route for route in result.routes}
    for k, caregiver in enumerate(instance.caregivers):
        route = served.get(k)
        locations: tuple[RouteLocation, ...] = ()
        if route is not None:
            locations = tuple(
                RouteLocation(
                    patient_id=keys[j][0],
                    service_id=keys[j][1],
                    arrival_time=result.starts[j],
                    departure_time=result.starts[j] + model.jobs[j].duration,
                )
                for j in route.jobs
            )
        routes.append(Route(caregiver_id=caregiver.id, locations=locations))
    return Solution(routes=tuple(routes), instance=instance.name)
