"""The staff of a synthetic municipality: how many per unit and shift, their roles,
the infection team, staff with other workplaces, redeployed staff, and who is absent.

The figures are assumptions, documented with their sources in docs/generator.md.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from beredt.domain.model import (
    Availability,
    AvailabilityStatus,
    BreakRule,
    Caregiver,
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
"""Day shifts and how often each is used; the 30-minute break falls in 11:00-13:00."""
EVENING_SHIFT = _shift("14:30", "22:00", "17:00", "18:30")
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
    """A unit's care load in caregiver-minutes a day, split by shift."""

    day: float
    evening: float
    double_in_evening: bool


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
    """Evening posts in proportion to the evening share of the care load; at least one
    (two when an evening visit needs two caregivers) and never the whole unit."""
    if size < 2 or demand.evening <= 0:
        return 0
    share = demand.evening / (demand.day + demand.evening)
    low = 2 if demand.double_in_evening and size >= 4 else 1
    return min(size - 1, max(low, round(size * share)))


def _posts(total: int, demand: Sequence[UnitDemand]) -> list[_Post]:
    """Every unit gets one caregiver, the rest follow the care load."""
    extra = split(total - len(demand), [d.day + d.evening + 1.0 for d in demand])
    posts: list[_Post] = []
    for u, (unit_demand, more) in enumerate(zip(demand, extra, strict=True)):
        size = 1 + more
        evenings = _evening_posts(size, unit_demand)
        posts += [_Post(u, evening=i >= size - evenings) for i in range(size)]
    return posts


def _role_pool(n: int, rng: random.Random) -> list[str]:
    nurses = max(1, round(n * NURSE_SHARE))
    health = min(n - nurses, round(n * HEALTH_WORKER_SHARE))
    delegated = round(health * DELEGATION_SHARE)
    pool = ["nurse"] * nurses + ["hw_med"] * delegated + ["hw"] * (health - delegated)
    pool += ["assistant"] * (n - len(pool))
    rng.shuffle(pool)
    return pool


def _take(pool: list[str], wanted: Sequence[str]) -> str:
    for role in wanted:
        if role in pool:
            pool.remove(role)
            return role
    return pool.pop()


def _assign_roles(posts: list[_Post], rng: random.Random) -> None:
    """Roles in the overall mix, but the infection team (unit 0) gets a nurse and a
    medication-delegated member on each shift, and every unit's day and evening shift
    someone who may give medication."""
    pool = _role_pool(len(posts), rng)
    unit0 = [p for p in posts if p.unit == 0]
    day0 = [p for p in unit0 if not p.evening]
    evening0 = [p for p in unit0 if p.evening]
    team = day0[:1] + evening0[:1] + day0[1:2]
    team += [p for p in unit0 if p not in team]
    for i, post in enumerate(team[: infection_team_size(len(posts))]):
        post.team = True
        post.role = _take(pool, ["nurse", "hw_med"] if i == 0 else ["hw_med", "nurse"])
    for unit in sorted({p.unit for p in posts}):
        for evening in (False, True):
            group = [p for p in posts if p.unit == unit and p.evening == evening]
            if group and not any(p.role in ("nurse", "hw_med") for p in group):
                next(p for p in group if not p.role).role = _take(pool, ["hw_med", "nurse"])
    for post in posts:
        if not post.role:
            post.role = pool.pop()


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
    _assign_roles(posts, rng)
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
