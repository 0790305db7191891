"""One day of care as an engine model: triage and routing in one cost function.

The steps follow the order of the OR-Tools routing samples: data (the day's visits and
the caregivers at work) → places and travel matrices → caregivers → jobs, whose
penalties carry the triage policy → synchronisations (double staffing, dependencies) →
weights. :func:`warm_start` then turns another plan's routes for the day (the greedy
baseline's) into the engine's starting solution.

Every visit becomes one job, a double-staffed visit two jobs of one ``group`` (served by
two different caregivers or not at all) tied by a synchronisation with gap 0. A job's
``penalty`` is what leaving it unserved costs (:func:`visit_penalty`): this is where the
municipality's policy and weights decide *which* care is kept when not all of it can be.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from beredt.domain.model import Caregiver, Shift
from beredt.domain.plan import PlannedVisit, Route
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit, visit_id
from beredt.planning.eligibility import ineligibility, needs_team
from beredt.planning.engine.model import INF, EngineCaregiver, Job, Model, Sync, Weights
from beredt.planning.triage import choose_alternative, effective_class
from beredt.travel import MatrixCache, Place, client_place, office_place

MANDATORY = 1e6
"""Penalty per job of a class-1 visit: far above any sum of other costs in a day, so the
search gives up no life-critical care to save anything else."""
DEPENDENCY_MAX_GAP = 24 * 60
"""The largest gap a dependency without ``max_gap`` can need (a whole day)."""


@dataclass(frozen=True, slots=True)
class Staff:
    """A caregiver at work on the day, with the shift they work and their office."""

    caregiver: Caregiver
    shift: Shift
    office: Place


@dataclass
class DayModel:
    """The engine model of one day and the look-ups to translate its result back."""

    day: dt.date
    model: Model
    visits: list[Visit]
    staff: list[Staff]
    """Engine caregiver index → who."""
    jobs_of: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Visit id → its job indices (one, or two for a double-staffed visit)."""
    job_visit: list[Visit] = field(default_factory=list)
    """Job index → its visit."""
    eligible: dict[str, list[int]] = field(default_factory=dict)
    """Visit id → engine indices of the caregivers who may do it."""
    penalty: dict[str, float] = field(default_factory=dict)
    """Visit id → the cost of not keeping it (all its jobs together)."""
    pairs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Client id → the two infection-team members kept to them
    (:func:`infection_team_pairs`)."""

    @property
    def staff_index(self) -> dict[str, int]:
        return {s.caregiver.id: k for k, s in enumerate(self.staff)}


# ---------------------------------------------------------------------- penalties


def visit_penalty(scenario: Scenario, visit: Visit, day: dt.date) -> float:
    """The cost of not keeping ``visit`` on ``day`` (the whole visit; a double-staffed
    visit's jobs share it), in the objective's "minutes of travel" unit.

    With ``w = scenario.objective``, ``c`` the effective class (a postponed visit at its
    deferral limit is escalated by the policy), ``d`` the task's duration, ``v`` the
    client's vulnerability and ``p`` the days the visit has already been postponed::

        value   = w.class_value[c] × d × w.vulnerability_factor[v]
        growth  = 1 + w.postponement_growth × p
        class 1                      MANDATORY per job + class-2 value × growth
        no alternative (shortfall)   max(w.class_value[c], w.class_value[2]) × d
                                       × w.vulnerability_factor[v] × growth
        otherwise                    value × w.alternative_discount[a] × growth

    where ``a`` is the alternative :func:`choose_alternative` gives the visit under the
    policy and the client's data (phone, relative, postpone within the limit, cancel).
    A visit the policy says must be kept but that has no allowed alternative (class 2
    without an agreed relative, an overdue postponement, class 5 for a client with
    special needs) therefore weighs at least as much as undiscounted class-2 care.
    """
    weights = scenario.objective
    task, client = visit.task, visit.client
    vulnerability = weights.vulnerability_factor.get(int(client.vulnerability), 1.0)
    growth = 1.0 + weights.postponement_growth * max(0, (day - visit.due_date).days)
    necessary = weights.class_value.get(2, 0.0) * task.duration * vulnerability * growth
    if task.priority_class == 1:
        return MANDATORY * task.caregivers + necessary
    klass = effective_class(scenario, visit, day)
    value = weights.class_value.get(klass, 0.0) * task.duration * vulnerability * growth
    alternative = choose_alternative(scenario, visit, day, why_not="")
    if alternative.shortfall:
        return max(value, necessary)
    return value * weights.alternative_discount.get(alternative.decision, 1.0)


def mandatory(visit: Visit) -> bool:
    return visit.task.priority_class == 1


# ------------------------------------------------------------------------ building


def build_day_model(
    scenario: Scenario,
    travel: MatrixCache,
    day: dt.date,
    visits: Sequence[Visit],
    pairs: dict[str, tuple[str, ...]] | None = None,
) -> DayModel:
    """The engine model of ``day``. ``pairs`` names, per client who needs the
    infection team, the two team members who should be their only caregivers
    (:func:`infection_team_pairs`)."""
    staff = staff_at_work(scenario, day)
    places, place_index = _places(scenario, visits)
    model = Model(weights=_weights(scenario))
    matrix_of = {}
    for mode in dict.fromkeys(s.caregiver.transport for s in staff):
        matrix_of[mode] = model.add_matrix(travel.matrix(places, mode))
    for s in staff:
        model.add_caregiver(_engine_caregiver(s, place_index, matrix_of[s.caregiver.transport]))
    day_model = DayModel(day, model, list(visits), staff, pairs=dict(pairs or {}))
    _add_jobs(scenario, day_model, place_index)
    _add_dependencies(day_model)
    return day_model


def prefetch_travel(
    scenario: Scenario, travel: MatrixCache, day: dt.date, visits: Sequence[Visit]
) -> None:
    """Fill ``travel`` with the day's matrices in one go, so the greedy warm start and
    the model ask the cache instead of the provider, pair by pair."""
    staff = staff_at_work(scenario, day)
    places, _ = _places(scenario, visits)
    for mode in dict.fromkeys(s.caregiver.transport for s in staff):
        travel.matrix(places, mode)


def staff_at_work(scenario: Scenario, day: dt.date) -> list[Staff]:
    """The caregivers working on ``day``, with their shift and office, in register order."""
    staff = []
    for caregiver in scenario.caregivers:
        shift = scenario.shift_on(caregiver, day)
        if shift is not None:
            unit = scenario.unit_by_id[caregiver.home_unit]
            staff.append(Staff(caregiver, shift, office_place(unit.id, unit.office.location)))
    return staff


def _places(scenario: Scenario, visits: Sequence[Visit]) -> tuple[list[Place], dict[str, int]]:
    """Every unit office, then every client visited today."""
    places = [office_place(unit.id, unit.office.location) for unit in scenario.units]
    clients = {visit.client.id: visit.client for visit in visits}
    places += [client_place(client.id, client.location) for client in clients.values()]
    return places, {place.key: k for k, place in enumerate(places)}


def _weights(scenario: Scenario) -> Weights:
    """The objective's weights. The engine has one weight per extra distinct caregiver;
    the stronger one for clients who need the infection team is applied through their
    pairs instead (:func:`infection_team_pairs`, :func:`_add_jobs`)."""
    w = scenario.objective
    return Weights(
        travel=w.travel,
        tardiness=w.tardiness,
        distinct_caregivers=w.distinct_caregivers,
        infection_crossing=w.infection_crossing,
        workload=w.workload,
    )


def _engine_caregiver(staff: Staff, place_index: dict[str, int], matrix: int) -> EngineCaregiver:
    shift, office = staff.shift, place_index[staff.office.key]
    rule = shift.break_
    return EngineCaregiver(
        start_location=office,
        end_location=office,
        shift_start=float(shift.start),
        shift_end=float(shift.end),
        max_work=INF if shift.max_work_minutes is None else float(shift.max_work_minutes),
        break_window=None if rule is None else (float(rule.window.start), float(rule.window.end)),
        break_duration=0.0 if rule is None else float(rule.duration),
        matrix=matrix,
    )


def _add_jobs(scenario: Scenario, day_model: DayModel, place_index: dict[str, int]) -> None:
    """One job per caregiver each visit needs. A client who needs the infection team is
    kept to their pair of team members (at most two faces a day); another member may
    come only for a class-1 visit neither of the pair may do at all (competence,
    delegation), and then without the pair's preference."""
    day, model = day_model.day, day_model.model
    staff_index = day_model.staff_index
    clients = {c: k for k, c in enumerate(dict.fromkeys(v.client.id for v in day_model.visits))}
    tolerance = scenario.rules.late_start_tolerance
    bonus = scenario.objective.known_caregiver_bonus
    team_bonus = scenario.objective.isolated_distinct_caregivers
    for group, visit in enumerate(day_model.visits):
        client, task, window = visit.client, visit.task, visit.window
        eligible = [
            k
            for k, s in enumerate(day_model.staff)
            if ineligibility(scenario, s.caregiver, visit, day) is None
        ]
        pair = day_model.pairs.get(client.id, ())
        if pair:
            in_pair = [k for k in eligible if day_model.staff[k].caregiver.id in pair]
            if in_pair or not mandatory(visit):
                eligible = in_pair
        penalty = visit_penalty(scenario, visit, day)
        known = client.familiar_caregivers
        preference: dict[int, float] = {
            staff_index[c]: bonus for c in known if c in staff_index and staff_index[c] in eligible
        }
        for member in pair:
            k = staff_index.get(member)
            if k is not None and k in eligible:
                preference[k] = preference.get(k, 0.0) + team_bonus
        parts = task.caregivers
        share = penalty / parts
        jobs = []
        for _ in range(parts):
            jobs.append(
                model.add_job(
                    Job(
                        location=place_index[client_place(client.id, client.location).key],
                        duration=float(task.duration),
                        earliest=float(window.start),
                        latest=float(window.end),
                        hard_latest=float(window.end + tolerance),
                        eligible=tuple(eligible),
                        penalty=share,
                        client=clients[client.id],
                        group=group if parts > 1 else -1,
                        infectious=needs_team(scenario, visit, day),
                        preference=tuple(sorted(preference.items())),
                    )
                )
            )
            day_model.job_visit.append(visit)
        if parts > 1:
            model.add_sync(Sync(jobs[0], jobs[1], 0.0, 0.0))
        day_model.jobs_of[visit.id] = tuple(jobs)
        day_model.eligible[visit.id] = eligible
        day_model.penalty[visit.id] = penalty


def _add_dependencies(day_model: DayModel) -> None:
    """``start(this) - start(before)`` in ``[min_gap, max_gap]`` for every dependency
    whose visit (same task occurrence and due date, as the checker reads it) is
    planned today; the engine applies it when both are served."""
    for visit in day_model.visits:
        for dependency in visit.task.dependencies:
            before = day_model.jobs_of.get(
                visit_id(dependency.after, visit.due_date, visit.occurrence)
            )
            if before is None:
                continue
            most = DEPENDENCY_MAX_GAP if dependency.max_gap is None else dependency.max_gap
            day_model.model.add_sync(
                Sync(before[0], day_model.jobs_of[visit.id][0], dependency.min_gap, float(most))
            )


# ------------------------------------------------------------- infection team pairs


def infection_team_pairs(
    scenario: Scenario,
    day: dt.date,
    visits: Sequence[Visit],
    earlier: Sequence[PlannedVisit] = (),
    exclude: Collection[str] = (),
) -> dict[str, tuple[str, ...]]:
    """For each client who needs the infection team today: the two team members at
    work who should be their only caregivers.

    The pair is the one that can do the most of the client's visits (class 1 first;
    a member can do a visit if the rules allow it and their shift meets its window),
    then the one that serves the client most in ``earlier`` (the warm start), then the
    one with the fewest such clients so far (to spread the load). Only the pair may do
    the client's visits of class 2-5; another member may step in for class-1 care,
    which then forgoes the pair's preference of ``isolated_distinct_caregivers`` per
    visit. Empty when fewer than two team members are at work. Caregivers named in
    ``exclude`` (fallen ill during the day, when re-planning) are not considered.
    """
    team = [
        c
        for c in scenario.caregivers
        if c.infection_team and scenario.shift_on(c, day) is not None and c.id not in exclude
    ]
    if len(team) < 2:
        return {}
    by_client: dict[str, list[Visit]] = defaultdict(list)
    for visit in visits:
        if needs_team(scenario, visit, day):
            by_client[visit.client.id].append(visit)
    served: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in earlier:
        if entry.decision is Decision.KEPT and entry.client in by_client:
            served[entry.client].update(entry.caregivers)
    load: Counter[str] = Counter()
    pairs: dict[str, tuple[str, ...]] = {}
    for client_id in sorted(by_client, key=lambda c: (-len(by_client[c]), c)):
        client_visits = by_client[client_id]
        able = {
            (member.id, visit.id)
            for member in team
            for visit in client_visits
            if can_do(scenario, member, visit, day)
        }
        ranked = []
        for i, a in enumerate(team):
            for b in team[i + 1 :]:
                covered = [v for v in client_visits if _pair_covers(able, a.id, b.id, v)]
                ranked.append(
                    (
                        -sum(mandatory(v) for v in covered),
                        -len(covered),
                        -(served[client_id][a.id] + served[client_id][b.id]),
                        load[a.id] + load[b.id],
                        a.id,
                        b.id,
                    )
                )
        *_, first, second = min(ranked)
        pairs[client_id] = (first, second)
        load.update(pairs[client_id])
    return pairs


def _pair_covers(able: set[tuple[str, str]], a: str, b: str, visit: Visit) -> bool:
    if visit.task.caregivers == 2:
        return (a, visit.id) in able and (b, visit.id) in able
    return (a, visit.id) in able or (b, visit.id) in able


def can_do(scenario: Scenario, caregiver: Caregiver, visit: Visit, day: dt.date) -> bool:
    """The rules allow it and the shift meets the window (travel aside)."""
    shift = scenario.shift_on(caregiver, day)
    if shift is None or ineligibility(scenario, caregiver, visit, day) is not None:
        return False
    start = max(visit.window.start, shift.start)
    latest = visit.window.end + scenario.rules.late_start_tolerance
    return start <= latest and start + visit.task.duration <= shift.end


# ---------------------------------------------------------------------- warm start


def warm_start(
    day_model: DayModel, entries: Sequence[PlannedVisit], routes: Sequence[Route]
) -> list[list[int]]:
    """Another plan's routes for the day as job-index lists per engine caregiver.

    A double-staffed visit's first job goes to the first caregiver its entry names and
    the second to the other. A visit is left out unless all its jobs go to caregivers
    the model lets do them (an isolated client's visits may be kept to their pair). If
    the engine still finds the routes infeasible (its own schedule is earliest-start,
    so this should not happen), visits are dropped, least important first, until it
    does not.
    """
    staff_index = day_model.staff_index
    part: dict[tuple[str, str], int] = {}
    for entry in entries:
        if entry.decision is Decision.KEPT and entry.date == day_model.day:
            for number, caregiver in enumerate(entry.caregivers):
                part[(entry.visit, caregiver)] = number
    placed: list[tuple[int, str, int]] = []  # (caregiver, visit, job) in route order
    for route in routes:
        who = staff_index.get(route.caregiver)
        if who is None or route.date != day_model.day:
            continue
        for stop in route.stops:
            jobs = day_model.jobs_of.get(stop, ())
            index = part.get((stop, route.caregiver))
            if index is not None and index < len(jobs) and who in day_model.eligible[stop]:
                placed.append((who, stop, jobs[index]))
    complete = Counter(stop for _, stop, _ in placed)
    initial: list[list[int]] = [[] for _ in day_model.staff]
    for who, stop, job in placed:
        if complete[stop] == len(day_model.jobs_of[stop]):
            initial[who].append(job)
    return _feasible(day_model, initial)


def _feasible(day_model: DayModel, initial: list[list[int]]) -> list[list[int]]:
    """``initial`` if the engine accepts it, else the routes of the largest set of its
    visits found by adding them most important first, in halves (a few evaluations
    per visit that must go, not one per visit), each route keeping its order."""

    def accepts(jobs: set[int]) -> bool:
        try:
            day_model.model.evaluate([[j for j in route if j in jobs] for route in initial])
        except ValueError:
            return False
        return True

    def add(kept: set[int], candidates: list[str]) -> set[int]:
        if not candidates:
            return kept
        trial = kept.union(*(day_model.jobs_of[vid] for vid in candidates))
        if accepts(trial):
            return trial
        if len(candidates) == 1:
            return kept
        half = len(candidates) // 2
        return add(add(kept, candidates[:half]), candidates[half:])

    everything = {j for route in initial for j in route}
    if not everything or accepts(everything):
        return initial
    visits = sorted(
        {day_model.job_visit[j].id for j in everything},
        key=lambda vid: (-day_model.penalty[vid], vid),
    )
    kept = add(set(), visits)
    return [[j for j in route if j in kept] for route in initial]


def is_whole(value: float) -> bool:
    return math.isfinite(value) and abs(value - round(value)) < 1e-6
