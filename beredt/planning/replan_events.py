"""Events against a published plan: checked, resolved, and applied to the scenario.

:func:`resolve_events` fills in defaults (an event's day) and checks every id and time
against the scenario and the plan, naming the place of each problem like the scenario
loader does. :func:`situation` then works out, per day, the re-plan time and which
published entries are *done* (already happened, so they stay exactly as published),
and :func:`apply_events` writes the events into the scenario: a shortened shift, an
infection period that begins at a time of day, a one-off task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from beredt.domain.clock import format_clock
from beredt.domain.errors import InputError, Problem
from beredt.domain.events import (
    CaregiverIll,
    ClientIsolated,
    EmergencyVisit,
    Event,
    PinVisit,
)
from beredt.domain.model import (
    COMPETENCE_LADDER,
    Availability,
    AvailabilityStatus,
    BreakRule,
    CareTask,
    Client,
    InfectionPeriod,
    Shift,
    TimeWindow,
)
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario, Visit, visit_id
from beredt.planning.eligibility import ineligibility
from beredt.planning.language import _
from beredt.travel import TravelProvider, client_place, office_place

Report = Callable[[str, str], None]
"""Records a problem: (field, message)."""

EMERGENCY_TASK_PREFIX = "emergency"
"""One-off tasks of emergency visits are named ``emergency-<YYYYMMDD>-<n>``."""


# --------------------------------------------------------------------- resolving


def resolve_events(scenario: Scenario, plan: Plan, events: Sequence[Event]) -> list[Event]:
    """The events with their day filled in, or :class:`InputError` naming every problem
    (``[i].field`` in a list of events, ``field`` for a single one)."""
    resolved = [_with_date(plan, event) for event in events]
    problems = event_problems(scenario, plan, resolved)
    if problems:
        raise InputError("events", problems)
    return resolved


def _with_date(plan: Plan, event: Event) -> Event:
    if event.date is not None:
        return event
    day = plan.dates[0]
    if isinstance(event, PinVisit):
        days = [e.date for e in plan.visits if e.visit == event.visit]
        day = max(days, default=day)
    return event.model_copy(update={"date": day})


def event_problems(scenario: Scenario, plan: Plan, events: Sequence[Event]) -> list[Problem]:
    """Every problem of ``events`` (dates filled in) against the scenario and plan."""
    problems: list[Problem] = []
    ill = {(e.caregiver, e.date): e.from_ for e in events if isinstance(e, CaregiverIll)}
    isolated = {(e.client, e.date): e.from_ for e in events if isinstance(e, ClientIsolated)}
    for i, event in enumerate(events):

        def problem(name: str, message: str, i: int = i) -> None:
            where = f"[{i}].{name}" if len(events) > 1 else name
            problems.append(Problem(where, message))

        assert event.date is not None
        if event.date not in plan.dates:
            shown = ", ".join(d.isoformat() for d in plan.dates)
            problem(
                "date",
                _("{date} is not a day of the plan ({dates})").format(date=event.date, dates=shown),
            )
            continue
        if isinstance(event, CaregiverIll):
            _ill_problems(scenario, event, problem)
        elif isinstance(event, ClientIsolated):
            _isolation_problems(scenario, event, problem)
        elif isinstance(event, EmergencyVisit):
            _emergency_problems(scenario, event, problem)
        else:
            _pin_problems(scenario, plan, event, ill, isolated, problem)
    return problems


def _ill_problems(scenario: Scenario, event: CaregiverIll, problem: Report) -> None:
    caregiver = scenario.caregiver_by_id.get(event.caregiver)
    assert event.date is not None
    if event.until is not None and event.until < event.date:
        problem("until", _until(event.until, event.date))
    if caregiver is None:
        problem("caregiver", _unknown_caregiver(event.caregiver))
        return
    shift = scenario.shift_on(caregiver, event.date)
    if shift is None:
        status = scenario.status_on(caregiver, event.date)
        problem(
            "caregiver",
            _("{caregiver} does not work on {date} ({status})").format(
                caregiver=event.caregiver, date=event.date, status=status
            ),
        )
    elif event.from_ >= shift.end:
        problem(
            "from",
            _("{time} is not before the end of their shift ({end}): nothing to re-plan").format(
                time=format_clock(event.from_), end=format_clock(shift.end)
            ),
        )


def _isolation_problems(scenario: Scenario, event: ClientIsolated, problem: Report) -> None:
    client = scenario.client_by_id.get(event.client)
    assert event.date is not None
    if event.until is not None and event.until < event.date:
        problem("until", _until(event.until, event.date))
    if client is None:
        problem("client", _unknown_client(event.client))
        return
    if event.status not in scenario.policy.infection_team_statuses:
        wanted = ", ".join(s.value for s in scenario.policy.infection_team_statuses)
        problem(
            "status",
            _(
                "{status} does not send the infection team under the policy "
                "(statuses that do: {statuses})"
            ).format(status=event.status.value, statuses=wanted),
        )
    elif scenario.needs_infection_team(client, event.date, at=event.from_):
        status = client.infection_status_on(event.date, event.from_)
        assert status is not None
        problem(
            "client",
            _("client {client} is already {status} on {date}").format(
                client=event.client, status=status.value, date=event.date
            ),
        )


def _emergency_problems(scenario: Scenario, event: EmergencyVisit, problem: Report) -> None:
    if event.client not in scenario.client_by_id:
        problem("client", _unknown_client(event.client))
    roles = {c.value for c in COMPETENCE_LADDER}
    skills = {skill for c in scenario.caregivers for skill in c.skills}
    if event.competence not in roles | skills:
        problem(
            "competence",
            _(
                "unknown competence {competence}: not a role ({roles}) nor a skill any "
                "caregiver has"
            ).format(competence=repr(event.competence), roles=", ".join(sorted(roles))),
        )
    if event.from_ is not None and event.from_ > event.window[1]:
        problem(
            "from",
            _("{time} is after the window's latest start {latest}").format(
                time=format_clock(event.from_), latest=format_clock(event.window[1])
            ),
        )


def _pin_problems(
    scenario: Scenario,
    plan: Plan,
    event: PinVisit,
    ill: dict[tuple[str, dt.date | None], int],
    isolated: dict[tuple[str, dt.date | None], int],
    problem: Report,
) -> None:
    day = event.date
    assert day is not None
    entries = [e for e in plan.visits if e.visit == event.visit]
    if not entries:
        problem(
            "visit",
            _("unknown visit {visit}: the plan has no entry for it").format(
                visit=repr(event.visit)
            ),
        )
        return
    entry = next((e for e in entries if e.date == day), None)
    if entry is None:
        days = ", ".join(str(e.date) for e in entries)
        problem(
            "date",
            _("visit {visit} is not planned on {date} (it is on {dates})").format(
                visit=event.visit, date=day, dates=days
            ),
        )
        return
    visit = scenario.visit_by_id(event.visit)
    assert visit is not None  # the plan's entry resolves (a valid plan)
    kept = entry.decision is Decision.KEPT
    if event.caregiver is None and not kept:
        problem(
            "caregiver",
            _(
                "the plan does not keep visit {visit} ({decision}); say which caregiver does it"
            ).format(visit=event.visit, decision=entry.decision.value),
        )
    if event.caregiver is not None:
        caregiver = scenario.caregiver_by_id.get(event.caregiver)
        if caregiver is None:
            problem("caregiver", _unknown_caregiver(event.caregiver))
        elif scenario.shift_on(caregiver, day) is None:
            problem(
                "caregiver",
                _("{caregiver} does not work on {date}").format(
                    caregiver=event.caregiver, date=day
                ),
            )
        elif (why := ineligibility(scenario, caregiver, visit, day)) is not None:
            problem(
                "caregiver",
                _("{caregiver} may not do visit {visit} ({why})").format(
                    caregiver=event.caregiver, visit=event.visit, why=why
                ),
            )
    people = [event.caregiver] if event.caregiver else list(entry.caregivers)
    for person in people:
        if (person, day) in ill:
            problem(
                "caregiver",
                _(
                    "{caregiver} falls ill at {time} (another event); say which caregiver "
                    "does the visit"
                ).format(caregiver=person, time=format_clock(ill[(person, day)])),
            )
    if (entry.client, day) in isolated:
        team = infection_team(scenario)
        outside = [c for c in people if c not in team]
        if outside:
            problem(
                "caregiver",
                _(
                    "client {client} is isolated from {time} (another event) and "
                    "{caregivers} is not on the infection team"
                ).format(
                    client=entry.client,
                    time=format_clock(isolated[(entry.client, day)]),
                    caregivers=", ".join(outside),
                ),
            )
    if event.start is not None:
        window = visit.window
        latest = window.end + scenario.rules.late_start_tolerance
        if not window.start <= event.start <= latest:
            problem(
                "start",
                _("{time} is outside the visit's window {start}-{latest}").format(
                    time=format_clock(event.start),
                    start=format_clock(window.start),
                    latest=format_clock(latest),
                ),
            )
        if event.from_ is not None and event.start < event.from_:
            problem(
                "start",
                _("{time} is before the pin is made ({made})").format(
                    time=format_clock(event.start), made=format_clock(event.from_)
                ),
            )


# --------------------------------------------------------------------- situation


@dataclass
class DaySituation:
    """What the events mean for one day of the plan."""

    day: dt.date
    at: int = 0
    """The re-plan time: published entries before it that could happen are done."""
    events: list[Event] = field(default_factory=list)
    ill_from: dict[str, int] = field(default_factory=dict)
    """Caregiver → when they stop (0: off the whole day)."""
    isolated_from: dict[str, int] = field(default_factory=dict)
    """Client → when only the infection team may come (0: the whole day)."""
    pins: dict[str, PinVisit] = field(default_factory=dict)


def situation(plan: Plan, events: Sequence[Event]) -> dict[dt.date, DaySituation]:
    """Per day of the plan: the re-plan time and what the events change.

    The re-plan time of a day with events is the latest ``from`` its events give (the
    re-plan is made when the last of them is known); if none gives one, the earliest
    window start of its emergency visits, else 00:00 (a pin before the day starts).
    Days the events reach without an event of their own (sick through ``until``, an
    isolation that goes on) are re-planned from 00:00.
    """
    days = {day: DaySituation(day) for day in plan.dates}
    for event in events:
        assert event.date is not None
        here = days[event.date]
        here.events.append(event)
        if isinstance(event, CaregiverIll):
            here.ill_from[event.caregiver] = event.from_
            for later in plan.dates:
                if event.date < later <= (event.until or event.date):
                    days[later].ill_from[event.caregiver] = 0
        elif isinstance(event, ClientIsolated):
            here.isolated_from[event.client] = event.from_
            for later in plan.dates:
                if later > event.date and (event.until is None or later <= event.until):
                    days[later].isolated_from.setdefault(event.client, 0)
        elif isinstance(event, PinVisit):
            here.pins[event.visit] = event
    for here in days.values():
        times = [event.at for event in here.events if event.at is not None]
        emergencies = [e.window[0] for e in here.events if isinstance(e, EmergencyVisit)]
        here.at = max(times) if times else min(emergencies, default=0)
    return days


def done_pin_problems(
    scenario: Scenario, plan: Plan, events: Sequence[Event], days: dict[dt.date, DaySituation]
) -> list[Problem]:
    """A pin that asks to change a visit already done (started before the re-plan time)."""
    problems = []
    team = infection_team(scenario)
    for i, event in enumerate(events):
        if not isinstance(event, PinVisit) or event.date is None:
            continue
        here = days[event.date]
        entry = next(e for e in plan.visits if e.visit == event.visit and e.date == event.date)
        if not is_done(scenario, entry, here, team) or entry.start is None:
            continue
        other_caregiver = event.caregiver is not None and event.caregiver not in entry.caregivers
        other_start = event.start is not None and event.start != entry.start
        if other_caregiver or other_start:
            where = f"[{i}].visit" if len(events) > 1 else "visit"
            problems.append(
                Problem(
                    where,
                    _(
                        "visit {visit} started at {time}, before the re-plan time {at}: it is "
                        "done and cannot change"
                    ).format(
                        visit=event.visit,
                        time=format_clock(entry.start),
                        at=format_clock(here.at),
                    ),
                )
            )
    return problems


def emergency_task_ids(scenario: Scenario, events: Sequence[Event]) -> dict[int, str]:
    """Event index → the id of the one-off task its emergency visit gets:
    ``emergency-<YYYYMMDD>-<n>`` with the lowest ``n`` no task of the scenario (an
    earlier re-plan's emergency visits included) or earlier event uses."""
    taken = set(scenario.task_by_id)
    ids: dict[int, str] = {}
    for index, event in enumerate(events):
        if isinstance(event, EmergencyVisit):
            assert event.date is not None
            number = 1
            while (task_id := f"{EMERGENCY_TASK_PREFIX}-{event.date:%Y%m%d}-{number}") in taken:
                number += 1
            taken.add(task_id)
            ids[index] = task_id
    return ids


def emergency_visit_ids(scenario: Scenario, events: Sequence[Event]) -> list[str]:
    """The visit ids of the emergency visits the events add."""
    return [
        visit_id(task_id, day, 0)
        for index, task_id in emergency_task_ids(scenario, events).items()
        if (day := events[index].date) is not None
    ]


def is_done(
    scenario: Scenario, entry: PlannedVisit, here: DaySituation, team: frozenset[str]
) -> bool:
    """An entry that already happened, so it stays exactly as published.

    A kept visit is done when it started before the re-plan time and could happen:
    none of its caregivers had fallen ill by its start, and if its client was isolated
    by then, all its caregivers are on the infection team. A visit not kept is done when
    its latest start (window end + tolerance) is before the re-plan time: it is too late
    to keep it now.
    """
    if entry.decision is Decision.KEPT:
        assert entry.start is not None
        if entry.start >= here.at:
            return False
        if any(entry.start >= here.ill_from.get(c, 24 * 60 + 1) for c in entry.caregivers):
            return False
        isolated = here.isolated_from.get(entry.client)
        if isolated is not None and entry.start >= isolated:
            return all(c in team for c in entry.caregivers)
        return True
    visit = scenario.visit_by_id(entry.visit)
    if visit is None:
        return False
    return visit.window.end + scenario.rules.late_start_tolerance < here.at


def infection_team(scenario: Scenario) -> frozenset[str]:
    return frozenset(c.id for c in scenario.caregivers if c.infection_team)


# ---------------------------------------------------------------------- applying


def apply_events(
    scenario: Scenario,
    plan: Plan,
    events: Sequence[Event],
    days: dict[dt.date, DaySituation],
    travel: TravelProvider,
) -> Scenario:
    """The scenario with the events written in, validated.

    - ``caregiver_ill``: an availability entry for the day. With visits done before
      ``from`` they are *present* on a shift that ends when they are back at the office
      after the last of them (never before ``from``), keeping their break only if they
      took it before ``from``; with none they are *sick*. Sick on the later days of the
      plan through ``until``.
    - ``client_isolated``: an infection period from the day at ``from``
      (``InfectionPeriod.since_time``), ongoing unless ``until`` is given.
    - ``emergency_visit``: a one-off class-1 task due only on that day (``CareTask.dates``).
    """
    clients = {c.id: c for c in scenario.clients}
    availability = {(a.caregiver, a.date): a for a in scenario.availability}
    team = infection_team(scenario)
    task_ids = emergency_task_ids(scenario, events)
    for index, event in enumerate(events):
        day = event.date
        assert day is not None
        if isinstance(event, CaregiverIll):
            here = days[day]
            done = [
                e
                for e in plan.visits
                if e.date == day
                and event.caregiver in e.caregivers
                and is_done(scenario, e, here, team)
            ]
            route = next(
                (r for r in plan.routes if r.caregiver == event.caregiver and r.date == day), None
            )
            availability[(event.caregiver, day)] = _ill_availability(
                scenario, event, done, route, travel
            )
            for later in plan.dates:
                if day < later <= (event.until or day):
                    availability[(event.caregiver, later)] = Availability(
                        caregiver=event.caregiver, date=later, status=AvailabilityStatus.SICK
                    )
        elif isinstance(event, ClientIsolated):
            client = clients[event.client]
            period = InfectionPeriod(
                status=event.status,
                since=day,
                since_time=event.from_ or None,
                until=event.until,
            )
            clients[client.id] = client.model_copy(
                update={"infection": [*client.infection, period]}
            )
        elif isinstance(event, EmergencyVisit):
            client = clients[event.client]
            task = _emergency_task(event, task_ids[index])
            clients[client.id] = client.model_copy(update={"tasks": [*client.tasks, task]})
    changed = scenario.model_copy(
        update={
            "clients": [clients[c.id] for c in scenario.clients],
            "availability": list(availability.values()),
        }
    )
    # A round trip through validation: every field rule holds for what the events made.
    modified = Scenario.model_validate(changed.model_dump(by_alias=True))
    problems = modified.reference_problems()
    if problems:
        raise InputError("the scenario after the events", problems)
    return modified


def _ill_availability(
    scenario: Scenario,
    event: CaregiverIll,
    done: list[PlannedVisit],
    route: Route | None,
    travel: TravelProvider,
) -> Availability:
    caregiver = scenario.caregiver_by_id[event.caregiver]
    day = event.date
    assert day is not None
    shift = scenario.shift_on(caregiver, day)
    assert shift is not None
    if not done:
        return Availability(caregiver=caregiver.id, date=day, status=AvailabilityStatus.SICK)
    last = max(done, key=lambda e: (e.end or 0, e.visit))
    assert last.end is not None
    unit = scenario.unit_by_id[caregiver.home_unit]
    home = client_place(last.client, scenario.client_by_id[last.client].location)
    back = travel.minutes(home, office_place(unit.id, unit.office.location), caregiver.transport)
    rule = shift.break_
    taken = route.break_start if route is not None else None
    keep_break = rule is not None and taken is not None and taken < event.from_
    end = max(event.from_, last.end + back)
    new_rule: BreakRule | None = None
    if keep_break:
        assert rule is not None and taken is not None
        end = max(end + rule.duration, taken + rule.duration)
    end = min(end, shift.end)
    if keep_break:
        assert rule is not None
        latest = min(rule.window.end, end - rule.duration)
        new_rule = BreakRule(
            window=TimeWindow(start=rule.window.start, end=latest), duration=rule.duration
        )
    new_shift = Shift(
        start=shift.start, end=end, max_work_minutes=shift.max_work_minutes, break_=new_rule
    )
    return Availability(
        caregiver=caregiver.id, date=day, status=AvailabilityStatus.PRESENT, shift=new_shift
    )


def _emergency_task(event: EmergencyVisit, task_id: str) -> CareTask:
    assert event.date is not None
    start, end = event.window
    return CareTask(
        id=task_id,
        name=event.name,
        kind="emergency",
        dates=[event.date],
        windows=[TimeWindow(start=start, end=end)],
        duration=event.duration,
        competence=event.competence,
        medication=event.medication,
        caregivers=event.caregivers,
        priority_class=1,
        instructions="Emergency visit added by a re-plan",
    )


def describe_event(event: Event, scenario: Scenario | None = None) -> str:
    """One line a planner reads: "Mona Vik ill from 10:30" (ids without the scenario)."""

    def who(caregiver_id: str) -> str:
        caregiver = scenario.caregiver_by_id.get(caregiver_id) if scenario else None
        return caregiver.name if caregiver else caregiver_id

    def client_name(client_id: str) -> str:
        client: Client | None = scenario.client_by_id.get(client_id) if scenario else None
        return client.name if client else client_id

    day = f"{event.date}: " if event.date else ""
    if isinstance(event, CaregiverIll):
        text = day + _("{caregiver} ill from {time}").format(
            caregiver=who(event.caregiver), time=format_clock(event.from_)
        )
        if event.until:
            text += _(" (sick through {date})").format(date=event.until)
        return text
    if isinstance(event, ClientIsolated):
        return day + _("{client} {status} from {time}").format(
            client=client_name(event.client),
            status=event.status.value,
            time=format_clock(event.from_),
        )
    if isinstance(event, EmergencyVisit):
        start, end = event.window
        return day + _(
            "emergency visit to {client} {start}-{end} ({minutes} min, {competence})"
        ).format(
            client=client_name(event.client),
            start=format_clock(start),
            end=format_clock(end),
            minutes=event.duration,
            competence=event.competence,
        )
    if event.caregiver and event.start is not None:
        return day + _("visit {visit} pinned to {caregiver} at {time}").format(
            visit=event.visit, caregiver=who(event.caregiver), time=format_clock(event.start)
        )
    if event.caregiver or event.start is not None:
        target = who(event.caregiver) if event.caregiver else format_clock(event.start or 0)
        return day + _("visit {visit} pinned to {target}").format(visit=event.visit, target=target)
    return day + _("visit {visit} pinned as planned").format(visit=event.visit)


def _until(until: dt.date, date: dt.date) -> str:
    return _("{until} is before the event's date {date}").format(until=until, date=date)


def _unknown_caregiver(caregiver: str) -> str:
    return _("unknown caregiver {caregiver}").format(caregiver=repr(caregiver))


def _unknown_client(client: str) -> str:
    return _("unknown client {client}").format(client=repr(client))


def visit_of(scenario: Scenario, vid: str) -> Visit:
    found = scenario.visit_by_id(vid)
    if found is None:
        raise AssertionError(f"visit {vid} does not resolve in the scenario")
    return found
