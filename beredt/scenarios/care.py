"""The care a synthetic client receives: the task catalogue of Norwegian home care and
three client profiles (light, medium, heavy) that draw tasks from it.

The figures are assumptions, documented with their sources in docs/generator.md; the
priority classes follow the triage table in DOMAIN.md and the service types the KPR codes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from beredt.domain.model import CareTask, Competence, Dependency, ServiceType, TimeWindow

T = TypeVar("T")


def pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    """One value of ``weighted`` (value, weight) pairs."""
    values = [value for value, _ in weighted]
    return rng.choices(values, weights=[weight for _, weight in weighted])[0]


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


class Deck(Generic[T]):
    """Deals ``values`` in shuffled rounds, each value once per round. Used where an
    independent draw per client would make the load swing with the seed: which weekday
    a weekly shower falls on (a planner spreads them over the week), who is bedridden."""

    def __init__(self, rng: random.Random, values: Sequence[T]) -> None:
        self.rng = rng
        self.values = list(values)
        self.left: list[T] = []

    @classmethod
    def share(cls, rng: random.Random, p: float, size: int = 20) -> Deck[bool]:
        hits = round(p * size)
        return Deck(rng, [True] * hits + [False] * (size - hits))

    def deal(self) -> T:
        if not self.left:
            self.left = list(self.values)
            self.rng.shuffle(self.left)
        return self.left.pop()


class Week:
    """Weekdays for weekly tasks, spread evenly per kind of task."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.decks: dict[str, Deck[int]] = {}

    def days(
        self, kind: str, count: int = 1, choices: Sequence[int] = (1, 2, 3, 4, 5)
    ) -> list[int]:
        deck = self.decks.setdefault(kind, Deck(self.rng, choices))
        days: list[int] = []
        while len(days) < min(count, len(choices)):
            day = deck.deal()
            if day not in days:
                days.append(day)
        return sorted(days)


def hm(text: str) -> int:
    """``"07:30"`` as minutes after midnight."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class TaskKind:
    """What every task of a kind has in common."""

    priority_class: int
    service_type: ServiceType
    competence: Competence = Competence.ASSISTANT
    medication: bool = False
    deferral_limit_days: int | None = None
    suitable_for_redeployed: bool = False


NURSING = ServiceType.HOME_NURSING  # KPR 15
PRACTICAL = ServiceType.PRACTICAL_ASSISTANCE_DAILY  # KPR 1
HW = Competence.HEALTH_WORKER

# fmt: off
KINDS: dict[str, TaskKind] = {
    # class 1: life-critical
    "medication": TaskKind(1, NURSING, HW, medication=True),
    "insulin": TaskKind(1, NURSING, HW, medication=True),  # some tasks: nurse
    "wound_care": TaskKind(1, NURSING, HW),  # some tasks: nurse
    "palliative": TaskKind(1, NURSING, Competence.NURSE, medication=True),
    # class 2: necessary (meals: class 1 for clients who cannot eat otherwise)
    "morning_care": TaskKind(2, NURSING),  # double-staffed: health worker
    "evening_care": TaskKind(2, NURSING),
    "transfer": TaskKind(2, NURSING, HW),
    "meal": TaskKind(2, PRACTICAL, suitable_for_redeployed=True),
    # class 3: supervision
    "supervision": TaskKind(3, NURSING, suitable_for_redeployed=True),
    "stockings_on": TaskKind(3, NURSING, suitable_for_redeployed=True),
    "stockings_off": TaskKind(3, NURSING, suitable_for_redeployed=True),
    # class 4: deferrable within a limit
    "shower": TaskKind(4, NURSING, deferral_limit_days=7),
    "cleaning": TaskKind(4, PRACTICAL, deferral_limit_days=14, suitable_for_redeployed=True),
    "shopping": TaskKind(4, PRACTICAL, deferral_limit_days=3, suitable_for_redeployed=True),
    # class 5: social and relief
    "support_contact": TaskKind(5, ServiceType.SUPPORT_CONTACT),
    "respite": TaskKind(5, ServiceType.RESPITE_OUTSIDE_INSTITUTION),
}
# fmt: on

INSTRUCTIONS = {
    "medication": "Gi medisiner fra multidose, se at bruker tar dem. Kvitter i journal.",
    "insulin": "Mål blodsukker, sett insulin etter skjema. Kvitter i journal.",
    "wound_care": "Sårstell etter prosedyre i journal.",
    "palliative": "Vurder smerter og uro, gi behovsmedisin etter forordning.",
    "supervision": "Se til bruker: spist og drukket, som vanlig? Meld endringer til sykepleier.",
    "stockings_on": "Ta på støttestrømpene (ligger på stolen ved sengen).",
    "stockings_off": "Ta av støttestrømpene, legg dem på stolen ved sengen.",
    "cleaning": "Støvsug, vask gulv på kjøkken og bad, skift sengetøy.",
    "shopping": "Handleliste på kjøleskapet, kvittering i permen.",
    "support_contact": "Aktivitet etter brukers ønske: tur, kafé, trening.",
    "respite": "Avlaster pårørende: vær sammen med bruker, hjelp med måltid.",
    "breakfast": "Smør brødskiver, lag kaffe eller te. Se at bruker spiser og drikker.",
    "dinner": "Varm opp middagen (mikro 3 min), sett fram drikke. Se at bruker spiser.",
    "supper": "Smør brødskiver og sett fram drikke. Se at bruker spiser.",
}
"""What a caregiver who does not know the client needs to know, by kind or meal."""

MEDICATION_NAMES = {
    1: "Medisiner morgen",
    2: "Medisiner morgen og kveld",
    3: "Medisiner morgen, lunsj og kveld",
    4: "Medisiner fire ganger daglig",
}

PROFILES = (("light", 0.55), ("medium", 0.33), ("heavy", 0.12))
"""Care profiles and their share of clients (exact, not drawn per client)."""
MORNINGS = ((0, 0.25), (45, 0.3), (90, 0.25), (150, 0.2))
"""Minutes a client's morning starts after 07:30: early risers to late sleepers."""
EVENINGS = ((-30, 0.35), (0, 0.4), (30, 0.25))
"""Minutes a client's evening starts after 18:00: early or late to bed."""

Window = tuple[int, int]


# ------------------------------------------------------------ one client's tasks


@dataclass
class ClientCare:
    """Builds one client's tasks. The client's own day shifts the morning windows by
    ``wakes`` minutes and the evening windows by ``sleeps`` minutes, so that the
    mornings and evenings of all clients do not peak in the same hour."""

    client_id: str
    rng: random.Random
    week: Week
    wakes: int
    sleeps: int
    tasks: list[CareTask] = field(default_factory=list)

    def add(
        self,
        kind: str,
        name: str,
        windows: Sequence[Window],
        duration: int,
        slug: str | None = None,
        **overrides: Any,
    ) -> CareTask:
        """A task of ``kind`` (see KINDS); ``overrides`` set any other CareTask field."""
        spec = KINDS[kind]
        fields: dict[str, Any] = {
            "service_type": spec.service_type,
            "competence": spec.competence.value,
            "medication": spec.medication,
            "priority_class": spec.priority_class,
            "deferral_limit_days": spec.deferral_limit_days,
            "suitable_for_redeployed": spec.suitable_for_redeployed,
            "instructions": INSTRUCTIONS.get(kind, ""),
        }
        fields.update(overrides)
        if isinstance(fields["competence"], Competence):
            fields["competence"] = fields["competence"].value
        task = CareTask(
            id=f"{self.client_id}.{slug or kind}",
            name=name,
            kind=kind,
            windows=[TimeWindow(start=start, end=end) for start, end in windows],
            duration=duration,
            **fields,
        )
        self.tasks.append(task)
        return task

    def morning(self, start: str, end: str) -> Window:
        return hm(start) + self.wakes, hm(end) + self.wakes

    def evening(self, start: str, end: str) -> Window:
        return hm(start) + self.sleeps, hm(end) + self.sleeps

    def has(self, kind: str) -> CareTask | None:
        return next((task for task in self.tasks if task.kind == kind), None)

    # -- tasks with some logic of their own ---------------------------------

    def medication(self, times: int) -> None:
        """1-4 times a day; the windows are 90-120 minutes wide."""
        morning = self.morning("07:30", "09:30")
        lunch = (hm("12:00"), hm("13:30"))
        afternoon = (hm("15:30"), hm("17:00"))
        evening = self.evening("18:00", "20:00")
        windows = {
            1: [morning],
            2: [morning, evening],
            3: [morning, lunch, evening],
            4: [morning, lunch, afternoon, evening],
        }[times]
        self.add("medication", MEDICATION_NAMES[times], windows, pick(self.rng, [(10, 3), (15, 1)]))

    def insulin(self, times: int) -> None:
        """Before breakfast, and for some also before dinner; nurses give about half."""
        windows = [self.morning("07:30", "09:00")]
        if times == 2:
            windows.append((hm("15:00"), hm("16:30")))
        name = "Insulin før frokost" if times == 1 else "Insulin før frokost og middag"
        nurse = chance(self.rng, 0.5)
        self.add("insulin", name, windows, 10, competence=Competence.NURSE if nurse else HW)

    def meals(self, breakfast: bool, dinner: bool, supper: bool, cls: int = 2) -> None:
        """Meals; with insulin the breakfast task depends on it (eat 10-60 min after the
        injection) and, for two doses a day, also covers dinner so the windows match."""
        help_to_eat = {"priority_class": cls, "service_type": NURSING if cls == 1 else PRACTICAL}
        insulin = self.has("insulin")
        if breakfast:
            windows, name = [self.morning("07:45", "10:00")], "Frokost"
            if insulin is not None and len(insulin.windows) == 2:
                windows.append((hm("15:15"), hm("17:30")))
                name, dinner = "Frokost og middag", False
            after = (
                [] if insulin is None else [Dependency(after=insulin.id, min_gap=10, max_gap=60)]
            )
            self.add(
                "meal",
                name,
                windows,
                15,
                "breakfast",
                dependencies=after,
                instructions=INSTRUCTIONS["breakfast"],
                **help_to_eat,
            )
        if dinner:
            delivered = cls == 2 and chance(self.rng, 0.4)
            self.add(
                "meal",
                "Middag – levering og servering" if delivered else "Middag",
                [(hm("13:30"), hm("16:00"))],
                10 if delivered else 20,
                "dinner",
                instructions=INSTRUCTIONS["dinner"],
                **(
                    help_to_eat | ({"service_type": ServiceType.MEAL_DELIVERY} if delivered else {})
                ),
            )
        if supper:
            self.add(
                "meal",
                "Kveldsmat",
                [(hm("17:00"), hm("19:00"))],
                15,
                "supper",
                instructions=INSTRUCTIONS["supper"],
                **help_to_eat,
            )

    def supervision(self) -> None:
        day, afternoon = (hm("10:30"), hm("14:00")), (hm("15:30"), hm("18:30"))
        windows = pick(self.rng, [([day], 0.5), ([afternoon], 0.3), ([day, afternoon], 0.2)])
        self.add("supervision", "Tilsyn", windows, 10)

    def stockings(self, take_off: bool) -> None:
        self.add("stockings_on", "Støttestrømper på", [self.morning("07:30", "09:30")], 10)
        if take_off:
            self.add("stockings_off", "Støttestrømper av", [self.evening("18:00", "20:00")], 10)

    def personal_care(self, morning: int, evening: int | None, double: bool) -> None:
        """Morning (and evening) care; bedridden clients need two caregivers and a lift."""
        two: dict[str, Any] = {"caregivers": 2, "competence": HW} if double else {}
        lift = " med personløfter (to pleiere)" if double else ""
        self.add(
            "morning_care", "Morgenstell" + lift, [self.morning("07:30", "09:30")], morning, **two
        )
        if evening is not None:
            self.add(
                "evening_care",
                "Kveldsstell" + lift,
                [self.evening("18:30", "20:30")],
                evening,
                **two,
            )

    def shower(self, double: bool = False) -> None:
        two: dict[str, Any] = {"caregivers": 2, "competence": HW} if double else {}
        name = "Dusj (to pleiere)" if double else "Dusj"
        self.add(
            "shower",
            name,
            [(hm("10:30"), hm("13:30"))],
            45,
            weekdays=self.week.days("shower"),
            **two,
        )

    def cleaning(self) -> None:
        minutes = pick(self.rng, [(60, 0.5), (75, 0.3), (90, 0.2)])
        self.add(
            "cleaning",
            "Rengjøring",
            [(hm("10:00"), hm("13:00"))],
            minutes,
            weekdays=self.week.days("cleaning"),
        )

    def shopping(self) -> None:
        minutes = pick(self.rng, [(45, 0.6), (60, 0.4)])
        self.add(
            "shopping",
            "Handling",
            [(hm("10:00"), hm("13:30"))],
            minutes,
            weekdays=self.week.days("shopping"),
        )

    def wound_care(self) -> None:
        days = pick(self.rng, [([1, 3, 5], 0.5), ([2, 4], 0.2), ([1, 2, 3, 4, 5, 6, 7], 0.3)])
        nurse = chance(self.rng, 0.6)
        self.add(
            "wound_care",
            "Sårstell",
            [(hm("11:00"), hm("14:00"))],
            pick(self.rng, [(20, 0.5), (30, 0.5)]),
            weekdays=days,
            competence=Competence.NURSE if nurse else HW,
        )

    def support_contact(self) -> None:
        """1-2 afternoons a week (Monday-Saturday), 2-3 hours."""
        times = pick(self.rng, [(1, 0.6), (2, 0.4)])
        days = self.week.days("support_contact", times, choices=(1, 2, 3, 4, 5, 6))
        minutes = pick(self.rng, [(120, 0.5), (150, 0.25), (180, 0.25)])
        self.add(
            "support_contact", "Støttekontakt", [(hm("15:00"), hm("17:30"))], minutes, weekdays=days
        )

    def respite(self) -> None:
        self.add(
            "respite",
            "Avlastning i hjemmet",
            [(hm("10:00"), hm("11:30"))],
            180,
            weekdays=self.week.days("respite"),
        )


# --------------------------------------------------------------------- profiles


def light_needs(care: ClientCare) -> None:
    """1-3 visits a day: medication, a check-in, stockings; weekly practical help."""
    rng = care.rng
    insulin = chance(rng, 0.05)
    if insulin:
        care.insulin(1)
    if chance(rng, 0.4):
        care.medication(pick(rng, [(1, 0.75), (2, 0.25)]))
    if chance(rng, 0.15):
        care.stockings(take_off=chance(rng, 0.7))
    if chance(rng, 0.3):
        care.supervision()
    care.meals(breakfast=insulin and chance(rng, 0.6), dinner=chance(rng, 0.15), supper=False)
    if chance(rng, 0.3):
        care.shower()
    if chance(rng, 0.3):
        care.cleaning()
    if chance(rng, 0.2):
        care.shopping()
    if chance(rng, 0.07):
        care.support_contact()
    elif chance(rng, 0.03):
        care.respite()
    if not care.tasks:
        care.supervision()


def medium_needs(care: ClientCare) -> None:
    """2-4 visits a day: morning care, medication 1-3 times, some meals, evening care."""
    rng = care.rng
    if chance(rng, 0.12):
        care.insulin(pick(rng, [(1, 0.7), (2, 0.3)]))
    if chance(rng, 0.75):
        care.medication(pick(rng, [(1, 0.35), (2, 0.45), (3, 0.2)]))
    if chance(rng, 0.6):
        evening = 20 if chance(rng, 0.25) else None
        care.personal_care(pick(rng, [(25, 0.6), (30, 0.4)]), evening, double=False)
    care.meals(breakfast=chance(rng, 0.15), dinner=chance(rng, 0.2), supper=chance(rng, 0.1))
    if chance(rng, 0.2):
        care.stockings(take_off=True)
    if chance(rng, 0.2):
        care.supervision()
    if chance(rng, 0.1):
        care.wound_care()
    if chance(rng, 0.55):
        care.shower(double=chance(rng, 0.25))
    if chance(rng, 0.35):
        care.cleaning()
    if chance(rng, 0.2):
        care.shopping()
    if chance(rng, 0.04):
        care.support_contact()
    elif chance(rng, 0.04):
        care.respite()
    if not care.tasks:
        care.supervision()


def heavy_needs(care: ClientCare, bedridden: bool, cannot_eat: bool) -> None:
    """4-6 times a day: personal care morning and evening (two caregivers and a lift
    when bedridden), medication 2-4 times, meals, often insulin or wound care."""
    rng = care.rng
    if chance(rng, 0.2):
        care.insulin(pick(rng, [(1, 0.6), (2, 0.4)]))
    care.medication(pick(rng, [(2, 0.35), (3, 0.45), (4, 0.2)]))
    care.personal_care(40 if bedridden else 30, 25 if bedridden else 20, double=bedridden)
    if bedridden and chance(rng, 0.5):
        care.add(
            "transfer",
            "Forflytning og toalettbesøk (to pleiere)",
            [(hm("11:30"), hm("14:00"))],
            20,
            caregivers=2,
        )
    care.meals(
        breakfast=chance(rng, 0.3),
        dinner=chance(rng, 0.4),
        supper=chance(rng, 0.2),
        cls=1 if cannot_eat else 2,
    )
    if chance(rng, 0.25):
        care.wound_care()
    if chance(rng, 0.08):
        care.add(
            "palliative",
            "Palliativ oppfølging",
            [(hm("09:00"), hm("11:30")), (hm("16:00"), hm("18:30"))],
            30,
        )
    if not bedridden and chance(rng, 0.2):
        care.stockings(take_off=True)
    care.shower(double=bedridden or chance(rng, 0.75))
    if chance(rng, 0.35):
        care.cleaning()
    if chance(rng, 0.03):
        care.respite()
