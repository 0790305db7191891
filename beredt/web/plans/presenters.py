"""A stored plan version turned into what the pages show: key-figure cards, decision
rows, a timeline per caregiver, map data and route sheets.

Pure functions over the domain :class:`~beredt.domain.plan.Plan` and the
:class:`~beredt.domain.scenario.Scenario` it was made from (the version's own snapshot,
so names, windows and infection statuses are those the planner saw). No ORM, no HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beredt.domain.clock import format_clock
from beredt.domain.model import Caregiver, CareTask, Client, InfectionStatus
from beredt.domain.plan import Plan, PlannedVisit, Route
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#7b4173",
    "#3182bd",
    "#e6550d",
)
"""One colour per caregiver, in the order of the plan's routes."""

PPE_STATUSES = frozenset({InfectionStatus.ISOLATED, InfectionStatus.SUSPECTED})


def hhmm(minutes: int | None) -> str:
    return "" if minutes is None else format_clock(minutes)


def decision_label(decision: Decision | str) -> str:
    labels = {
        Decision.KEPT: _("Kept"),
        Decision.REPLACED_BY_PHONE: _("Replaced by phone call"),
        Decision.HANDED_TO_RELATIVE: _("Handed to relative"),
        Decision.POSTPONED: _("Postponed"),
        Decision.CANCELLED: _("Cancelled"),
    }
    return labels.get(Decision(decision), str(decision))


@dataclass(frozen=True)
class CheckLine:
    """One day of a version's class-1 check, as the plan page says it."""

    day: dt.date
    verdict: str
    """``capacity``, ``routes`` (the day's shortfall, proven), ``possible`` (the plan's)
    or ``open``."""
    text: str


def class1_check_lines(check: dict[str, Any]) -> list[CheckLine]:
    """The stored class-1 check (:attr:`PlanVersion.class1_check`) in words, one line
    per day the plan leaves class-1 care out."""
    lines = []
    for row in check.get("days", []):
        day = dt.date.fromisoformat(row["day"])
        minutes, visits = row["missing_minutes"], row["missed_visits"]
        if row["verdict"] == "capacity":
            text = ngettext(
                "Proven: no plan can keep all class-1 care. The staff at work lack at "
                "least %(minutes)s minute of care and travel for it.",
                "Proven: no plan can keep all class-1 care. The staff at work lack at "
                "least %(minutes)s minutes of care and travel for it.",
                minutes,
            ) % {"minutes": minutes}
        elif row["verdict"] == "routes" and row.get("peak"):
            start, end = row["peak"]
            text = ngettext(
                "Proven: no plan can keep all class-1 care. The staff at work have the "
                "minutes, but routes through the time windows of the visits opening "
                "%(start)s–%(end)s fall at least %(minutes)s minute short.",
                "Proven: no plan can keep all class-1 care. The staff at work have the "
                "minutes, but routes through the time windows of the visits opening "
                "%(start)s–%(end)s fall at least %(minutes)s minutes short.",
                minutes,
            ) % {"minutes": minutes, "start": format_clock(start), "end": format_clock(end)}
        elif row["verdict"] == "routes":
            text = ngettext(
                "Proven: no plan can keep all class-1 care. The staff at work have the "
                "minutes, but routes through the day's time windows fall at least "
                "%(minutes)s minute short.",
                "Proven: no plan can keep all class-1 care. The staff at work have the "
                "minutes, but routes through the day's time windows fall at least "
                "%(minutes)s minutes short.",
                minutes,
            ) % {"minutes": minutes}
        elif row["verdict"] == "possible":
            text = ngettext(
                "Found: routes that keep every class-1 visit of the day exist, so a plan "
                "can keep the class-1 visit this one leaves out. Plan again with a longer "
                "search time.",
                "Found: routes that keep every class-1 visit of the day exist, so a plan "
                "can keep the %(visits)s class-1 visits this one leaves out. Plan again "
                "with a longer search time.",
                visits,
            ) % {"visits": visits}
        else:
            text = ngettext(
                "Not proven in %(seconds)s s: a plan might keep the class-1 visit this "
                "one leaves out. Plan again with a longer search time, or place it by hand.",
                "Not proven in %(seconds)s s: a plan might keep the %(visits)s class-1 "
                "visits this one leaves out. Plan again with a longer search time, or "
                "place them by hand.",
                visits,
            ) % {"seconds": round(check.get("seconds", 0)), "visits": visits}
        lines.append(CheckLine(day, row["verdict"], text))
    return lines


def caregiver_colours(plan: Plan, scenario: Scenario) -> dict[str, str]:
    codes = sorted({r.caregiver for r in plan.routes} | {c.id for c in scenario.caregivers})
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(codes)}


def infection_status(
    scenario: Scenario, client: Client | None, day: dt.date, at: int | None = None
) -> InfectionStatus | None:
    return None if client is None else client.infection_status_on(day, at)


def needs_ppe(status: InfectionStatus | None, scenario: Scenario) -> bool:
    return status is not None and (
        status in PPE_STATUSES or status in scenario.policy.infection_team_statuses
    )


def names(scenario: Scenario, codes: list[str]) -> list[str]:
    return [scenario.caregiver_by_id[c].name if c in scenario.caregiver_by_id else c for c in codes]


# ------------------------------------------------------------------ key figures


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    tone: str = ""  # "ok", "bad" or ""


def kpi_cards(plan: Plan) -> list[Card]:
    kpis = plan.kpis
    if kpis is None:
        return []
    by = kpis.visits_by_decision
    cards = [
        Card(
            _("Life-critical (class 1) coverage"),
            f"{kpis.class1_coverage:.0%}",
            "ok" if kpis.class1_coverage >= 1 else "bad",
        ),
        Card(
            _("Essential coverage (class 1-2)"),
            f"{kpis.essential_coverage:.0%}",
            "ok" if kpis.essential_coverage >= 1 else "bad",
        ),
        Card(_("Visits kept"), f"{kpis.visits_kept} / {kpis.visits_total}"),
    ]
    for decision in Decision:
        if decision is not Decision.KEPT and by.get(decision.value):
            cards.append(Card(decision_label(decision), str(by[decision.value])))
    cards += [
        Card(_("Travel minutes"), str(kpis.travel_minutes)),
        Card(_("Care share of paid time"), f"{kpis.care_share_of_paid_time:.0%}"),
        Card(
            _("Shortfall visits"),
            str(kpis.shortfall_visits),
            "bad" if kpis.shortfall_visits else "ok",
        ),
    ]
    return cards


# ------------------------------------------------------------------ decisions


@dataclass(frozen=True)
class DecisionRow:
    visit: str
    client: str
    client_name: str
    task: str
    priority_class: int | None
    decision: str
    decision_label: str
    caregivers: list[str]
    caregiver_codes: list[str]
    start: str
    end: str
    window: str
    reason: str
    shortfall: bool
    isolated: bool
    postponed_to: dt.date | None

    @property
    def kept(self) -> bool:
        return self.decision == Decision.KEPT.value


def _task(scenario: Scenario, entry: PlannedVisit) -> tuple[Client | None, CareTask | None]:
    found = scenario.task_by_id.get(entry.task)
    client = scenario.client_by_id.get(entry.client)
    return client, (found[1] if found else None)


def decision_rows(plan: Plan, scenario: Scenario, day: dt.date) -> list[DecisionRow]:
    rows = []
    for entry in plan.visits:
        if entry.date != day:
            continue
        client, task = _task(scenario, entry)
        visit = scenario.visit_by_id(entry.visit)
        status = infection_status(scenario, client, day, entry.start)
        rows.append(
            DecisionRow(
                visit=entry.visit,
                client=entry.client,
                client_name=client.name if client else entry.client,
                task=task.name if task else entry.task,
                priority_class=task.priority_class if task else None,
                decision=entry.decision.value,
                decision_label=decision_label(entry.decision),
                caregivers=names(scenario, entry.caregivers),
                caregiver_codes=list(entry.caregivers),
                start=hhmm(entry.start),
                end=hhmm(entry.end),
                window=f"{hhmm(visit.window.start)}-{hhmm(visit.window.end)}" if visit else "",
                reason=entry.reason,
                shortfall=entry.shortfall,
                isolated=needs_ppe(status, scenario),
                postponed_to=entry.postponed_to,
            )
        )
    rows.sort(key=lambda r: (r.start or r.window or "99", r.client_name, r.visit))
    return rows


# ------------------------------------------------------------------ timeline


@dataclass(frozen=True)
class Block:
    left: float  # percent of the axis
    width: float
    label: str
    title: str
    css: str


@dataclass
class TimelineRow:
    code: str
    name: str
    colour: str
    span: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Timeline:
    hours: list[tuple[float, str]]
    rows: list[TimelineRow]


def timeline(plan: Plan, scenario: Scenario, day: dt.date) -> Timeline:
    routes = [r for r in plan.routes if r.date == day]
    entries = {e.visit: e for e in plan.visits if e.date == day}
    if not routes:
        return Timeline([], [])
    first = min(r.start for r in routes) // 60 * 60
    last = -(-max(r.end for r in routes) // 60) * 60
    length = max(last - first, 60)

    def pos(start: int, end: int) -> tuple[float, float]:
        return (
            round(100 * (start - first) / length, 2),
            round(max(100 * (end - start) / length, 0.4), 2),
        )

    colours = caregiver_colours(plan, scenario)
    rows = []
    for route in sorted(routes, key=lambda r: _caregiver_name(scenario, r.caregiver)):
        row = TimelineRow(
            code=route.caregiver,
            name=_caregiver_name(scenario, route.caregiver),
            colour=colours.get(route.caregiver, PALETTE[0]),
            span=f"{hhmm(route.start)}-{hhmm(route.end)}",
        )
        for stop in route.stops:
            entry = entries.get(stop)
            if entry is None or entry.start is None or entry.end is None:
                continue
            client, task = _task(scenario, entry)
            status = infection_status(scenario, client, day, entry.start)
            css = f"p{task.priority_class if task else 0}"
            if needs_ppe(status, scenario):
                css += " infection"
            left, width = pos(entry.start, entry.end)
            client_name = client.name if client else entry.client
            task_name = task.name if task else entry.task
            row.blocks.append(
                Block(
                    left,
                    width,
                    client_name,
                    f"{hhmm(entry.start)}-{hhmm(entry.end)} {client_name}: {task_name}",
                    css,
                )
            )
        brk = _break_minutes(scenario, route)
        if route.break_start is not None and brk:
            left, width = pos(route.break_start, route.break_start + brk)
            row.blocks.append(
                Block(left, width, "", f"{_('Break')} {hhmm(route.break_start)}", "break")
            )
        rows.append(row)
    hours = [(round(100 * (m - first) / length, 2), hhmm(m)) for m in range(first, last + 1, 60)]
    return Timeline(hours, rows)


def _caregiver_name(scenario: Scenario, code: str) -> str:
    caregiver = scenario.caregiver_by_id.get(code)
    return caregiver.name if caregiver else code


def _break_minutes(scenario: Scenario, route: Route) -> int:
    caregiver = scenario.caregiver_by_id.get(route.caregiver)
    shift = scenario.shift_on(caregiver, route.date) if caregiver else None
    return shift.break_.duration if shift and shift.break_ else 0


# ------------------------------------------------------------------ map


def map_data(plan: Plan, scenario: Scenario, day: dt.date) -> dict[str, Any]:
    """Office, one polyline per caregiver's route and one marker per client (JSON)."""
    unit = scenario.units[0]
    office = [unit.office.location.lat, unit.office.location.lon]
    entries = {e.visit: e for e in plan.visits if e.date == day}
    colours = caregiver_colours(plan, scenario)
    routes = []
    for route in plan.routes:
        if route.date != day:
            continue
        points = [office]
        for stop in route.stops:
            entry = entries.get(stop)
            client = scenario.client_by_id.get(entry.client) if entry else None
            if client is not None:
                points.append([client.location.lat, client.location.lon])
        points.append(office)
        routes.append(
            {
                "caregiver": route.caregiver,
                "name": _caregiver_name(scenario, route.caregiver),
                "colour": colours.get(route.caregiver, PALETTE[0]),
                "points": points,
            }
        )
    visits: dict[str, list[str]] = {}
    for entry in sorted(entries.values(), key=lambda e: e.start or 0):
        if entry.decision is Decision.KEPT:
            who = ", ".join(names(scenario, entry.caregivers))
            visits.setdefault(entry.client, []).append(f"{hhmm(entry.start)} {who}")
        else:
            visits.setdefault(entry.client, []).append(decision_label(entry.decision))
    clients = []
    for client in scenario.clients:
        if client.id not in visits:
            continue
        status = client.infection_status_on(day)
        clients.append(
            {
                "name": client.name,
                "address": client.address,
                "lat": client.location.lat,
                "lon": client.location.lon,
                "isolated": needs_ppe(status, scenario),
                "status": status.value if status else "",
                "visits": visits[client.id],
            }
        )
    return {
        "office": {"lat": office[0], "lon": office[1], "name": unit.name},
        "routes": routes,
        "clients": clients,
        "labels": {"office": _("Office"), "isolated": _("Infection control: full PPE")},
    }


# ------------------------------------------------------------------ route sheets


@dataclass(frozen=True)
class Stop:
    start: str
    end: str
    client_name: str
    address: str
    phone: str
    key_notes: str
    task: str
    instructions: str
    priority_class: int | None
    partner: list[str]
    precaution: str
    new_to_client: bool
    medication: bool


@dataclass(frozen=True)
class RouteSheet:
    caregiver: Caregiver
    date: dt.date
    start: str
    end: str
    break_start: str
    break_minutes: int
    stops: list[Stop]
    redeployed_from: str
    unit_name: str
    office_address: str

    @property
    def new_count(self) -> int:
        return sum(stop.new_to_client for stop in self.stops)


def route_sheet(plan: Plan, scenario: Scenario, caregiver_code: str, day: dt.date) -> RouteSheet:
    """The caregiver's day in order; raises ``KeyError`` for a caregiver not in the plan's
    scenario. A caregiver without a route gets an empty sheet."""
    caregiver = scenario.caregiver_by_id[caregiver_code]
    route = next((r for r in plan.routes if r.caregiver == caregiver_code and r.date == day), None)
    entries = {e.visit: e for e in plan.visits if e.date == day}
    stops = []
    for stop in route.stops if route else []:
        entry = entries.get(stop)
        if entry is None:
            continue
        client, task = _task(scenario, entry)
        if client is None:
            continue
        status = client.infection_status_on(day, entry.start)
        stops.append(
            Stop(
                start=hhmm(entry.start),
                end=hhmm(entry.end),
                client_name=client.name,
                address=client.address,
                phone=client.phone or "",
                key_notes=client.key_notes,
                task=task.name if task else entry.task,
                instructions=task.instructions if task else "",
                priority_class=task.priority_class if task else None,
                partner=names(scenario, [c for c in entry.caregivers if c != caregiver_code]),
                precaution=_precaution(status, scenario),
                new_to_client=caregiver_code not in client.familiar_caregivers,
                medication=bool(task and task.medication),
            )
        )
    unit = scenario.unit_by_id.get(caregiver.home_unit) or scenario.units[0]
    return RouteSheet(
        caregiver=caregiver,
        date=day,
        start=hhmm(route.start) if route else "",
        end=hhmm(route.end) if route else "",
        break_start=hhmm(route.break_start) if route else "",
        break_minutes=_break_minutes(scenario, route) if route else 0,
        stops=stops,
        redeployed_from=caregiver.redeployed_from or "",
        unit_name=unit.name,
        office_address=unit.office.address,
    )


def _precaution(status: InfectionStatus | None, scenario: Scenario) -> str:
    if needs_ppe(status, scenario):
        return _("Infection control: full PPE (client %(status)s)") % {
            "status": _status_label(status)
        }
    if status is InfectionStatus.QUARANTINED:
        return _("Client in quarantine: use a face mask and keep hand hygiene")
    return ""


def _status_label(status: InfectionStatus | None) -> str:
    labels = {
        InfectionStatus.ISOLATED: _("isolated"),
        InfectionStatus.SUSPECTED: _("suspected infection"),
        InfectionStatus.QUARANTINED: _("quarantined"),
        InfectionStatus.RECOVERED: _("recovered"),
    }
    return labels.get(status, "") if status else ""


def routed_caregivers(plan: Plan, scenario: Scenario, day: dt.date) -> list[Caregiver]:
    """Caregivers with a route on ``day``, by name."""
    codes = {r.caregiver for r in plan.routes if r.date == day}
    return sorted((c for c in scenario.caregivers if c.id in codes), key=lambda c: (c.name, c.id))
