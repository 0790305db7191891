"""The staff of a synthetic municipality: how many per unit and shift, their roles,
the infection team, staff with other workplaces, redeployed staff, and who is absent.

The figures are assumptions, documented with their sources in docs/generator.md.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from beredt.domain.model import (
    Availability,
    AvailabilityStatus,
    BreakRule,
    Caregiver,
    CareTask,
    Competence,
    Shift,
    TimeWindow,
    TransportMode,
    Unit,
)
from beredt.scenarios.care import hm, pick
from beredt.scenarios.fakes import Fakes


def _shift(start: str, end: str, break_from: str, break_until: str) -> Shift:
    window = TimeWindow(start=hm(break_from), end=hm(break_until))
    return Shift(start=hm(start), end=hm(end), break_=BreakRule(window=window, duration=30))


DAY_SHIFTS = (
    (_shift("07:00", "15:00", "11:00", "12:30"), 0.6),
    (_shift("07:30", "15:30", "11:00", "12:30"), 0.4),
)
"""Day shifts and how often each is used; the 30-minute break falls in 11:00-13:00
(the evening break in 16:30-18:00, before the evening round)."""
EVENING_SHIFT = _shift("14:30", "22:00", "16:30", "17:30")
EVENING_FROM = hm("15:00")
"""A visit whose window opens at or after this time is work for the evening shift."""

NURSE_SHARE = 0.25
HEALTH_WORKER_SHARE = 0.45  # the rest are assistants
DELEGATION_SHARE = 0.85
"""Share of health workers delegated to give medication (assistants never are)."""
MULTI_SITE_SHARE = 0.15
REDEPLOYED_SHARE = 0.07
REDEPLOYED_FROM = (
    "Barnehage",
    "Skolefritidsordningen (SFO)",
    "Dagsenter for eldre",
    "Biblioteket",
    "Kulturskolen",
    "Frisklivssentralen",
)
DAY_FRACTIONS = ((1.0, 0.45), (0.8, 0.25), (0.75, 0.1), (0.6, 0.1), (0.5, 0.1))
EVENING_FRACTIONS = ((1.0, 0.15), (0.8, 0.2), (0.6, 0.3), (0.5, 0.35))
"""Employment fractions; evening shifts are more often part-time posts."""


def infection_team_size(caregivers: int) -> int:
    """Three when there are 20 caregivers or more, two from 5, otherwise one."""
    return 3 if caregivers >= 20 else 2 if caregivers >= 5 else 1


@dataclass(frozen=True)
class UnitDemand:
    """A unit's care load in caregiver-minutes (duration x caregivers), averaged over
    the planned days: by hour of the day (a visit's minutes spread evenly over the time
    it may take place), and by shift for medication and for nurse-only tasks."""

    hourly: tuple[float, ...]
    medication: tuple[float, float]
    nurse_only: tuple[float, float]
    double_in_evening: bool

    @classmethod
    def of(cls, tasks: Iterable[CareTask], dates: Sequence[dt.date]) -> UnitDemand:
        hourly = [0.0] * 24
        medication, nurse_only = [0.0, 0.0], [0.0, 0.0]
        double_in_evening = False
        for task in tasks:
            due = sum(task.is_due(day) for day in dates) / len(dates)
            for window in task.windows:
                minutes = due * task.duration * task.caregivers
                first, last = window.start, min(window.end + task.duration, 24 * 60)
                for hour in range(first // 60, (last - 1) // 60 + 1):
                    overlap = min(last, (hour + 1) * 60) - max(first, hour * 60)
                    hourly[hour] += minutes * overlap / (last - first)
                evening = window.start >= EVENING_FROM
                medication[evening] += minutes if task.medication else 0
                nurse_only[evening] += minutes if task.competence == Competence.NURSE else 0
                double_in_evening |= due > 0 and evening and task.caregivers == 2
        return cls(tuple(hourly), _pair(medication), _pair(nurse_only), double_in_evening)

    @property
    def total(self) -> float:
        return sum(self.hourly)

    @property
    def day_peak(self) -> float:
        return max(self.hourly[: EVENING_FROM // 60])

    @property
    def evening_peak(self) -> float:
        return max(self.hourly[EVENING_FROM // 60 :])


def _pair(values: list[float]) -> tuple[float, float]:
    return values[0], values[1]


@dataclass(eq=False)  # compared by identity: two posts may look alike
class _Post:
    """A position to fill before a person is generated for it."""

    unit: int
    evening: bool
    team: bool = False
    role: str = ""  # nurse | hw_med | hw | assistant


# ------------------------------------------------------------------ positions


def split(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainder, ties by order)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _evening_posts(size: int, demand: UnitDemand) -> int:
    """Evening posts in proportion to the busiest evening hour against the busiest day
    hour (staff for the peaks, not the average); at least one (two when an evening
    visit needs two caregivers) and never the whole unit."""
    if size < 2 or demand.evening_peak <= 0:
        return 0
    share = demand.evening_peak / (demand.day_peak + demand.evening_peak)
    low = 2 if demand.double_in_evening and size >= 4 else 1
    return min(size - 1, max(low, round(size * share)))


def _posts(total: int, demand: Sequence[UnitDemand]) -> list[_Post]:
    """Every unit gets one caregiver, the rest follow the care load."""
    extra = split(total - len(demand), [d.total + 1.0 for d in demand])
    posts: list[_Post] = []
    for u, (unit_demand, more) in enumerate(zip(demand, extra, strict=True)):
        size = 1 + more
        evenings = _evening_posts(size, unit_demand)
        posts += [_Post(u, evening=i >= size - evenings) for i in range(size)]
    return posts


def _role_counts(n: int) -> dict[str, int]:
    nurses = max(1, round(n * NURSE_SHARE))
    health = min(n - nurses, round(n * HEALTH_WORKER_SHARE))
    delegated = round(health * DELEGATION_SHARE)
    return {
        "nurse": nurses,
        "hw_med": delegated,
        "hw": health - delegated,
        "assistant": n - nurses - health,
    }


MEDICATION_ROLES = ("nurse", "hw_med")


def _assign_roles(posts: list[_Post], demand: Sequence[UnitDemand], rng: random.Random) -> None:
    """Roles in the overall mix (``_role_counts``), placed where they are needed:

    1. the infection team (unit 0): a nurse by day, medication-delegated members on
       both shifts;
    2. a nurse on every shift that has nurse-only tasks, and someone who may give
       medication on every shift that has medication;
    3. the other nurses and delegated health workers spread over the shifts in
       proportion to medication minutes (D'Hondt: next to the shift with the most
       medication minutes per such caregiver);
    4. everyone else at random.
    """
    counts = _role_counts(len(posts))

    def take(*wanted: str) -> str:
        """The first wanted role still in the mix, else any role left."""
        for role in (*wanted, *counts):
            if counts[role] > 0:
                counts[role] -= 1
                return role
        raise AssertionError("more posts than roles")

    groups = {
        (unit, evening): [p for p in posts if p.unit == unit and p.evening == evening]
        for unit in sorted({p.unit for p in posts})
        for evening in (False, True)
    }
    team = groups[0, False][:1] + groups[0, True][:1] + groups[0, False][1:]
    team += [p for p in groups[0, True] if p not in team]
    for i, post in enumerate(team[: infection_team_size(len(posts))]):
        post.team = True
        post.role = take("nurse", "hw_med") if i == 0 else take("hw_med", "nurse")

    def free(group: list[_Post]) -> _Post | None:
        return next((p for p in group if not p.role), None)

    for (unit, evening), group in groups.items():
        slot = free(group)
        if slot and demand[unit].nurse_only[evening] and all(p.role != "nurse" for p in group):
            slot.role = take("nurse", "hw_med")
        slot = free(group)
        if slot and demand[unit].medication[evening] and not _medicates(group):
            slot.role = take("hw_med", "nurse")
    medicating = [role for role in MEDICATION_ROLES for _ in range(counts[role])]
    rng.shuffle(medicating)
    for role in medicating:
        open_groups = [key for key, group in groups.items() if free(group)]
        if not open_groups:
            break
        unit, evening = max(
            open_groups,
            key=lambda key: demand[key[0]].medication[key[1]] / (1 + _medicates(groups[key])),
        )
        slot = free(groups[unit, evening])
        assert slot is not None
        slot.role = take(role)
    rest = [role for role, count in counts.items() for _ in range(count)]
    rng.shuffle(rest)
    for post in posts:
        if not post.role:
            post.role = rest.pop()


def _medicates(group: list[_Post]) -> int:
    return sum(p.role in MEDICATION_ROLES for p in group)


# ------------------------------------------------------------------- caregivers


def make_staff(
    total: int,
    units: Sequence[Unit],
    demand: Sequence[UnitDemand],
    rng: random.Random,
    fakes: Fakes,
) -> list[Caregiver]:
    """``total`` caregivers for ``units`` sized to each unit's ``demand``."""
    posts = _posts(total, demand)
    _assign_roles(posts, demand, rng)
    fractions = [pick(rng, EVENING_FRACTIONS if p.evening else DAY_FRACTIONS) for p in posts]
    fractions = [1.0 if p.team else f for p, f in zip(posts, fractions, strict=True)]
    # redeployed staff fill assistant posts (seed 004 item 7); none in very small services
    assistants = [i for i, p in enumerate(posts) if p.role == "assistant" and not p.team]
    how_many = min(round(total * REDEPLOYED_SHARE), len(assistants)) if total >= 10 else 0
    redeployed = set(rng.sample(assistants, how_many))
    # part-timers more often hold a second job (seed 001); never the infection team
    others = [i for i, p in enumerate(posts) if not p.team and i not in redeployed]
    others.sort(key=lambda i: (fractions[i], rng.random()))
    multi_site = set(others[: round(total * MULTI_SITE_SHARE)])
    width = max(3, len(str(total)))
    caregivers = []
    for i, post in enumerate(posts):
        unit = units[post.unit]
        caregivers.append(
            Caregiver(
                id=f"s{i + 1:0{width}d}",
                name=fakes.name(rng, female_share=0.85),
                phone=fakes.phone(rng),
                competence=_competence(post.role),
                medication_delegation=post.role in ("nurse", "hw_med"),
                employment_fraction=fractions[i],
                other_workplaces=[_other_workplace(unit, rng)] if i in multi_site else [],
                infection_team=post.team,
                home_unit=unit.id,
                redeployed_from=rng.choice(REDEPLOYED_FROM) if i in redeployed else None,
                transport=_transport(post, rng),
                shift=EVENING_SHIFT if post.evening else pick(rng, DAY_SHIFTS),
            )
        )
    return caregivers


def _competence(role: str) -> Competence:
    if role == "nurse":
        return Competence.NURSE
    return Competence.HEALTH_WORKER if role.startswith("hw") else Competence.ASSISTANT


def _transport(post: _Post, rng: random.Random) -> TransportMode:
    """Cars, except some day staff of the town-centre unit (unit 0) who bike or walk.
    The infection team drives: it carries protective equipment."""
    if post.unit != 0 or post.team or post.evening:
        return TransportMode.CAR
    return pick(
        rng, [(TransportMode.CAR, 0.75), (TransportMode.BIKE, 0.15), (TransportMode.WALK, 0.1)]
    )


def _other_workplace(unit: Unit, rng: random.Random) -> str:
    district = unit.name.removeprefix("Hjemmetjenesten ")
    return pick(
        rng,
        [
            (f"{district} sykehjem", 0.5),
            ("Bemanningsbyrå", 0.2),
            ("Bofellesskap for personer med demens", 0.15),
            ("Legevakten", 0.15),
        ],
    )


# ---------------------------------------------------------------------- absence

ABSENCE_KINDS = (
    ((AvailabilityStatus.SICK, (2, 8)), 0.55),
    ((AvailabilityStatus.QUARANTINE, (3, 7)), 0.25),
    ((AvailabilityStatus.CARING_FOR_CHILD, (1, 3)), 0.20),
)
"""Status, days left (min, max) when first seen absent, and share of absences."""


def absences(
    share: float, caregivers: Sequence[Caregiver], dates: Sequence[dt.date], rng: random.Random
) -> list[Availability]:
    """Exactly ``round(share * len(caregivers))`` absent each day. An absence lasts a
    few days; whoever comes back is replaced by someone not absent yet. The infection
    team is taken last (a municipality re-staffs it first)."""
    wanted = round(share * len(caregivers))
    active: dict[str, tuple[AvailabilityStatus, int]] = {}
    been_absent: set[str] = set()
    entries: list[Availability] = []
    for day in dates:
        active = {cid: entry for cid, entry in active.items() if entry[1] > 0}
        if len(active) < wanted:
            free = [c for c in caregivers if c.id not in active]
            # ordinary staff before the team; people not yet absent before returners
            free.sort(key=lambda c: (c.infection_team, c.id in been_absent, rng.random()))
            for caregiver in free[: wanted - len(active)]:
                status, (low, high) = pick(rng, ABSENCE_KINDS)
                active[caregiver.id] = (status, rng.randint(low, high))
                been_absent.add(caregiver.id)
        for cid in sorted(active):
            status, left = active[cid]
            entries.append(Availability(caregiver=cid, date=day, status=status))
            active[cid] = (status, left - 1)
    return entries
