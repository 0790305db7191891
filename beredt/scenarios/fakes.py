"""Names, phone numbers and street addresses from Faker, seeded per scenario.

Faker has no ``nb_NO`` locale; ``no_NO`` is its Norwegian (bokmål) one. Every
instance is seeded with ``seed_instance`` (never Faker's shared global seed), so two
generators never disturb each other.
"""

from __future__ import annotations

import random
import re

from faker import Faker

from beredt.domain.model import Language

PHONE = re.compile(r"^\+?[0-9 ]{5,20}$")
"""The domain's phone rule (beredt.domain.model)."""


def normalise_phone(raw: str, rng: random.Random) -> str:
    """Keep a leading ``+``, digits and single spaces; fall back to a mobile number."""
    text = raw.strip()
    cleaned = " ".join(re.sub(r"[^0-9 ]", " ", text).split())
    result = ("+" if text.startswith("+") else "") + cleaned
    if PHONE.match(result):
        return result
    return f"9{rng.randrange(10**7):07d}"


class Fakes:
    """Seeded Faker instances: Norwegian for most people, Swedish and English for the
    clients whose language is ``sv`` or ``en``."""

    def __init__(self, seed: int) -> None:
        self.fakers = {
            Language.NB: Faker("no_NO"),
            Language.SV: Faker("sv_SE"),
            Language.EN: Faker("en_GB"),
        }
        for language, faker in self.fakers.items():
            faker.seed_instance(f"{seed}:{language.value}")
        self.no = self.fakers[Language.NB]

    def name(
        self, rng: random.Random, female_share: float, language: Language = Language.NB
    ) -> str:
        """First and last name, without titles (Faker's ``name()`` adds "Prof." etc.)."""
        fake = self.fakers[language]
        first = fake.first_name_female() if rng.random() < female_share else fake.first_name_male()
        return f"{first} {fake.last_name()}"

    def first_name(self, rng: random.Random, female_share: float) -> str:
        if rng.random() < female_share:
            return str(self.no.first_name_female())
        return str(self.no.first_name_male())

    def phone(self, rng: random.Random) -> str:
        return normalise_phone(self.no.phone_number(), rng)

    def street(self) -> str:
        return f"{self.no.street_name()} {self.no.building_number()}"
