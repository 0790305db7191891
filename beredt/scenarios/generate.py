"""Synthetic municipalities: a realistic, reproducible care register around a real town.

``generate_scenario(GeneratorConfig(...))`` builds units, clients with their care tasks,
caregivers with shifts, absences and infection status. It is pure (no I/O, no global
random state): the same config gives the same scenario, byte for byte, through
:func:`beredt.io.files.dump_model`.

The steps, in order:

1. units: one office per unit, in a real settlement of the town; the other settlements
   belong to the nearest office (``towns``);
2. clients: homes clustered around the unit's settlements plus scattered rural homes,
   a care profile and the care tasks it brings (``care``);
3. staff: caregivers sized to the care load of each unit and shift, with roles, the
   infection team, multi-site and redeployed staff (``staff``);
4. links: contact person, recent caregivers, relatives, isolation;
5. absence: who is sick, in quarantine or home with a child on each planned day.

Each step draws from its own random stream (``"<seed>:<step>"``), so changing, say, the
absence share leaves the clients exactly as they were. Every figure is an assumption
documented in docs/generator.md.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from beredt.domain.model import (
    Caregiver,
    CareTask,
    Client,
    InfectionPeriod,
    InfectionStatus,
    Language,
    Location,
    Municipality,
    Office,
    Relative,
    Unit,
    Vulnerability,
)
from beredt.domain.scenario import Scenario
from beredt.scenarios.care import (
    EVENINGS,
    MORNINGS,
    PROFILES,
    ClientCare,
    Deck,
    Week,
    chance,
    heavy_needs,
    light_needs,
    medium_needs,
    pick,
)
from beredt.scenarios.fakes import Fakes
from beredt.scenarios.staff import UnitDemand, absences, make_staff, split
from beredt.scenarios.towns import Area, Town, find_town, home_in, km_between, offset, rural_home

DEFAULT_START = dt.date(2026, 11, 23)
"""A Monday; fixed (not "next Monday") so that the same config gives the same file."""


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate. An impossible config raises ``ValueError`` when constructed."""

    clients: int = 150
    caregivers: int = 30
    absence: float = 0.3
    """Share of caregivers absent (sick, quarantine, caring for child) on each day."""
    isolated: int = 5
    """Clients isolated (infectious) since shortly before the start date."""
    seed: int = 1
    start_date: dt.date = DEFAULT_START
    days: int = 1
    town: str = "asker"
    """``asker``, ``baerum`` (``sandvika``), ``drammen``, ``tromso`` or ``bodo``."""
    units: int = 1
    """Home-care districts; at most one per settlement of the town."""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("invalid generator config: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Everything wrong with this config, each saying what would be valid."""
        out = [
            f"{name} must be a whole number, got {getattr(self, name)!r}"
            for name in ("clients", "caregivers", "isolated", "seed", "days", "units")
            if isinstance(getattr(self, name), bool) or not isinstance(getattr(self, name), int)
        ]
        if out:
            return out
        if self.clients < 0:
            out.append(f"clients must be 0 or more, got {self.clients}")
        if self.caregivers < 1:
            out.append(f"caregivers must be at least 1, got {self.caregivers}")
        if isinstance(self.absence, bool) or not isinstance(self.absence, int | float):
            out.append(f"absence must be a share such as 0.3, got {self.absence!r}")
        elif not 0 <= self.absence < 1:
            out.append(f"absence must be at least 0 and below 1 (e.g. 0.3), got {self.absence}")
        if self.isolated < 0:
            out.append(f"isolated must be 0 or more, got {self.isolated}")
        elif self.isolated > self.clients >= 0:
            out.append(f"isolated ({self.isolated}) cannot exceed clients ({self.clients})")
        if not 1 <= self.days <= 28:
            out.append(f"days must be between 1 and 28, got {self.days}")
        if not isinstance(self.start_date, dt.date):
            out.append(f"start_date must be a date, got {self.start_date!r}")
        town: Town | None = None
        try:
            town = find_town(str(self.town))
        except ValueError as exc:
            out.append(str(exc))
        if self.units < 1:
            out.append(f"units must be at least 1, got {self.units}")
        elif town is not None and self.units > len(town.areas):
            out.append(
                f"{town.name} has {len(town.areas)} settlements, so at most "
                f"{len(town.areas)} units; got units={self.units}"
            )
        elif self.units > self.caregivers >= 1:
            out.append(
                f"every unit needs a caregiver: units ({self.units}) "
                f"cannot exceed caregivers ({self.caregivers})"
            )
        return out


def generate_scenario(config: GeneratorConfig) -> Scenario:
    """A synthetic municipality for ``config``; the same config gives the same scenario."""
    town = find_town(config.town)
    fakes = Fakes(config.seed)

    def stream(step: str) -> random.Random:
        return random.Random(f"{config.seed}:{step}")

    dates = [config.start_date + dt.timedelta(days=i) for i in range(config.days)]
    units, unit_areas = _units(town, config.units, stream("units"), fakes)
    drafts = _client_drafts(config.clients, town, units, unit_areas, stream("clients"), fakes)
    caregivers = make_staff(
        config.caregivers, units, _demand(drafts, len(units), dates), stream("staff"), fakes
    )
    clients = _link_clients(config, drafts, caregivers, stream("links"), fakes)
    return Scenario(
        name=(
            f"Syntetisk {town.name}: {config.clients} brukere, {config.caregivers} ansatte, "
            f"{round(config.absence * 100)} % fravær (seed {config.seed})"
        ),
        municipality=Municipality(code=town.code, name=town.name),
        units=units,
        start_date=config.start_date,
        days=config.days,
        clients=clients,
        caregivers=caregivers,
        availability=absences(config.absence, caregivers, dates, stream("absence")),
    )


@dataclass(frozen=True)
class LoadFigures:
    """A day's required care in caregiver-minutes (duration x caregivers over all due
    visits) against the paid minutes of the shifts of the caregivers present."""

    care_minutes: int
    shift_minutes: int

    @property
    def ratio(self) -> float:
        return self.care_minutes / self.shift_minutes if self.shift_minutes else math.inf


def load_figures(scenario: Scenario, day: dt.date) -> LoadFigures:
    """The calibration figure of docs/generator.md for one day of a scenario."""
    care = sum(v.task.duration * v.task.caregivers for v in scenario.visits_on(day))
    shifts = [scenario.shift_on(caregiver, day) for caregiver in scenario.caregivers]
    return LoadFigures(care, sum(shift.paid_minutes for shift in shifts if shift is not None))


# ------------------------------------------------------------------------ units


def _units(
    town: Town, count: int, rng: random.Random, fakes: Fakes
) -> tuple[list[Unit], list[list[Area]]]:
    """The first ``count`` settlements get an office (unit 0 has the town centre); every
    other settlement belongs to the unit with the nearest office."""
    offices = town.areas[:count]
    groups = [[area] for area in offices]
    for area in town.areas[count:]:
        nearest = min(range(count), key=lambda u: km_between(area.location, offices[u].location))
        groups[nearest].append(area)
    units = []
    for home in offices:
        near = offset(home.location, rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3))
        office = Office(address=f"{fakes.street()}, {home.postcode} {home.place}", location=near)
        units.append(Unit(id=home.slug, name=f"Hjemmetjenesten {home.name}", office=office))
    return units, groups


# ---------------------------------------------------------------------- clients

RURAL_SHARE = 0.12
"""Share of clients in scattered rural homes rather than in a settlement."""
LANGUAGES = ((Language.NB, 0.94), (Language.SV, 0.03), (Language.EN, 0.03))
HAS_PHONE = 0.93
CAN_USE_PHONE = {"light": 0.98, "medium": 0.93, "heavy": 0.72}
"""Of clients with a phone, how many can take a call (heavy clients: dementia, hearing)."""
VULNERABILITY = {
    "light": ((Vulnerability.LOW, 0.6), (Vulnerability.MEDIUM, 0.4)),
    "medium": ((Vulnerability.LOW, 0.15), (Vulnerability.MEDIUM, 0.7), (Vulnerability.HIGH, 0.15)),
    "heavy": ((Vulnerability.MEDIUM, 0.25), (Vulnerability.HIGH, 0.75)),
}
BEDRIDDEN = 0.55
"""Share of heavy clients who need two caregivers and a lift for personal care."""
CANNOT_EAT = 0.3
"""Share of heavy clients who cannot eat without help (their meals are class 1)."""
SPECIAL_NEEDS = 0.4
"""Share of support-contact and respite clients flagged with special needs."""


@dataclass
class _Draft:
    """A client before the staff exist (no contact person, recent caregivers yet)."""

    id: str
    unit: int
    fields: dict[str, Any]
    tasks: list[CareTask]


def _client_drafts(
    count: int,
    town: Town,
    units: list[Unit],
    unit_areas: list[list[Area]],
    rng: random.Random,
    fakes: Fakes,
) -> list[_Draft]:
    """Clients split between units by the weight of their settlements; most live in a
    settlement, some in scattered rural homes near the unit's office."""
    per_unit = split(count, [sum(area.weight for area in areas) for areas in unit_areas])
    # exactly the profile shares (shuffled), so that the load does not swing with the seed
    profiles = [
        name
        for (name, _), n in zip(PROFILES, split(count, [s for _, s in PROFILES]), strict=True)
        for _ in range(n)
    ]
    rng.shuffle(profiles)
    week, bedridden = Week(rng), Deck.share(rng, BEDRIDDEN)
    far_km = 12.0 if len(units) == 1 else 7.0
    width = max(3, len(str(count)))
    drafts: list[_Draft] = []
    for u, (unit, areas) in enumerate(zip(units, unit_areas, strict=True)):
        for _ in range(per_unit[u]):
            if chance(rng, RURAL_SHARE):
                area = areas[0]
                home = rural_home(town, unit.office.location, far_km, rng)
            else:
                area = pick(rng, [(a, a.weight) for a in areas])
                home = home_in(area, rng)
            cid, profile = f"c{len(drafts) + 1:0{width}d}", profiles[len(drafts)]
            care = ClientCare(cid, rng, week, wakes=pick(rng, MORNINGS), sleeps=pick(rng, EVENINGS))
            if profile == "light":
                light_needs(care)
            elif profile == "medium":
                medium_needs(care)
            else:
                heavy_needs(care, bedridden=bedridden.deal(), cannot_eat=chance(rng, CANNOT_EAT))
            drafts.append(_draft(cid, u, unit, area, home, profile, care.tasks, rng, fakes))
    return drafts


def _draft(
    cid: str,
    u: int,
    unit: Unit,
    area: Area,
    home: Location,
    profile: str,
    tasks: list[CareTask],
    rng: random.Random,
    fakes: Fakes,
) -> _Draft:
    """The person: name, address, phone, language, vulnerability, key notes."""
    language = pick(rng, LANGUAGES)
    phone = fakes.phone(rng) if chance(rng, HAS_PHONE) else None
    social = any(task.priority_class == 5 for task in tasks)
    fields: dict[str, Any] = {
        "name": fakes.name(rng, female_share=0.65, language=language),
        "unit": unit.id,
        "address": f"{fakes.street()}, {area.postcode} {area.place}",
        "location": home,
        "phone": phone,
        "can_use_phone": phone is not None and chance(rng, CAN_USE_PHONE[profile]),
        "language": language,
        "vulnerability": pick(rng, VULNERABILITY[profile]),
        "special_needs": social and chance(rng, SPECIAL_NEEDS),
        "key_notes": _key_notes(rng),
    }
    return _Draft(cid, u, fields, tasks)


def _key_notes(rng: random.Random) -> str:
    code = f"{rng.randrange(10000):04d}"
    access = pick(
        rng,
        [
            (f"Nøkkelboks {code}.", 0.5),
            (f"Nøkkelboks ved inngangsdøra, kode {code}.", 0.15),
            ("Digital lås, hjemmetjenesten har tilgang.", 0.15),
            ("Bruker åpner selv, ring på.", 0.12),
            ("Nøkkel hentes på kontoret.", 0.08),
        ],
    )
    extra = pick(
        rng,
        [
            ("", 0.6),
            ("Trygghetsalarm på armen.", 0.15),
            ("Hund i huset.", 0.08),
            ("Katt, hold døra lukket.", 0.07),
            ("Parker i gata, ikke i innkjørselen.", 0.1),
        ],
    )
    return f"{access} {extra}".strip()


def _demand(drafts: list[_Draft], n_units: int, dates: list[dt.date]) -> list[UnitDemand]:
    """Each unit's care load by hour, which sizes its staff and shifts."""
    return [
        UnitDemand.of((task for d in drafts if d.unit == u for task in d.tasks), dates)
        for u in range(n_units)
    ]


# ---------------------------------------------------------------------- links

RELATIVE_TASK_KINDS = ("stockings_on", "stockings_off", "supervision", "meal", "shower")
"""Tasks a relative may take over (seed 004 item 4: "strømper, tilsyn eller dusj")."""
RELATIVE_AGREES = 0.25
"""Chance that a client with such a task has a relative who agreed (about 20 % overall)."""
HAS_RELATIVE = 0.6
"""Chance that another client has next of kin on record (who agreed to nothing)."""
RELATIONS = (
    ("datter", 0.35),
    ("sønn", 0.3),
    ("ektefelle", 0.2),
    ("barnebarn", 0.1),
    ("nabo", 0.05),
)


def _link_clients(
    config: GeneratorConfig,
    drafts: list[_Draft],
    caregivers: list[Caregiver],
    rng: random.Random,
    fakes: Fakes,
) -> list[Client]:
    """Contact person (spread evenly over the unit's own staff), 2-4 recent caregivers,
    relatives and isolation. Redeployed staff know no clients yet."""
    isolated = _isolated(config.isolated, drafts, rng)
    clients: list[Client] = []
    for draft in drafts:
        own = [c for c in caregivers if c.home_unit == draft.fields["unit"]]
        known = [c.id for c in own if c.redeployed_from is None] or [c.id for c in own]
        contact = known[len(clients) % len(known)]
        others = [cid for cid in known if cid != contact]
        recent = [contact, *rng.sample(others, min(len(others), rng.randint(1, 3)))]
        infection = []
        if draft.id in isolated:
            since = config.start_date - dt.timedelta(days=rng.randint(0, 3))
            infection = [InfectionPeriod(status=InfectionStatus.ISOLATED, since=since)]
        clients.append(
            Client(
                id=draft.id,
                **draft.fields,
                infection=infection,
                relatives=_relatives(draft, rng, fakes),
                contact_person=contact,
                recent_caregivers=recent,
                tasks=draft.tasks,
            )
        )
    return clients


def _isolated(count: int, drafts: list[_Draft], rng: random.Random) -> set[str]:
    """Isolated clients, preferring clients without double-staffed tasks: a small
    infection team cannot always send two of its members at once."""
    single = [d.id for d in drafts if all(t.caregivers == 1 for t in d.tasks)]
    double = [d.id for d in drafts if any(t.caregivers == 2 for t in d.tasks)]
    rng.shuffle(single)
    rng.shuffle(double)
    return set((single + double)[:count])


def _relatives(draft: _Draft, rng: random.Random, fakes: Fakes) -> list[Relative]:
    eligible = [
        task.id
        for task in draft.tasks
        if task.kind in RELATIVE_TASK_KINDS and task.priority_class > 1  # not class-1 meals
    ]
    agrees = bool(eligible) and chance(rng, RELATIVE_AGREES)
    if not agrees and not chance(rng, HAS_RELATIVE):
        return []
    relation = pick(rng, RELATIONS)
    if relation in ("datter", "sønn", "ektefelle"):
        female = {"datter": 1.0, "sønn": 0.0}.get(relation, 0.5)
        name = f"{fakes.first_name(rng, female)} {draft.fields['name'].split()[-1]}"
    else:
        name = fakes.name(rng, female_share=0.5)
    agreed = sorted(rng.sample(eligible, min(len(eligible), rng.randint(1, 2)))) if agrees else []
    return [Relative(name=name, relation=relation, phone=fakes.phone(rng), agreed_tasks=agreed)]
