"""The planner writes its reasons, shortfall message, explanations and re-plan texts in
English, Norwegian bokmål or Swedish, and the language never changes a decision."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from beredt.domain.clock import parse_clock
from beredt.domain.events import CaregiverIll
from beredt.domain.plan import Plan
from beredt.domain.policy import Decision
from beredt.domain.scenario import Scenario
from beredt.planning import make_plan
from beredt.planning.explain import explain_client, reason_kind, summarise_plan
from beredt.planning.language import LANGUAGES, LOCALE_DIR, _, current_language, use_language
from beredt.planning.replan import ReplanSettings, replan
from beredt.scenarios.generate import GeneratorConfig, generate_scenario
from beredt.travel import HaversineTravel

TRAVEL = HaversineTravel()
WHEN = dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC)
ITERATIONS = 3_000
REPO = Path(__file__).resolve().parent.parent

# How each decision's reason begins (a shortfall is a cancellation with its own words).
PREFIXES = {
    "en": {
        Decision.KEPT: "kept: ",
        Decision.REPLACED_BY_PHONE: "replaced by a phone call: ",
        Decision.HANDED_TO_RELATIVE: "handed to ",
        Decision.POSTPONED: "postponed to ",
        Decision.CANCELLED: "cancelled for the period: ",
        "shortfall": "NOT KEPT - capacity shortfall",
    },
    "nb": {
        Decision.KEPT: "beholdt: ",
        Decision.REPLACED_BY_PHONE: "erstattet med telefonsamtale: ",
        Decision.HANDED_TO_RELATIVE: "overlatt til pårørende ",
        Decision.POSTPONED: "utsatt til ",
        Decision.CANCELLED: "avlyst for perioden: ",
        "shortfall": "IKKE BEHOLDT - underdekning",
    },
    "sv": {
        Decision.KEPT: "genomförs: ",
        Decision.REPLACED_BY_PHONE: "ersätts med telefonsamtal: ",
        Decision.HANDED_TO_RELATIVE: "lämnas över till anhörig ",
        Decision.POSTPONED: "skjuts upp till ",
        Decision.CANCELLED: "ställs in för perioden: ",
        "shortfall": "GENOMFÖRS INTE - bristande bemanning",
    },
}


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate_scenario(GeneratorConfig(clients=30, caregivers=6, absence=0.3, isolated=2))


@pytest.fixture(scope="module")
def plans(scenario: Scenario) -> dict[str, Plan]:
    return {
        code: make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=ITERATIONS, language=code)
        for code in LANGUAGES
    }


def _decisions(plan: Plan) -> list[dict[str, object]]:
    return [entry.model_dump(exclude={"reason"}) for entry in plan.visits]


def test_the_language_does_not_change_the_plan(plans: dict[str, Plan]) -> None:
    english = plans["en"]
    for code in ("nb", "sv"):
        plan = plans[code]
        assert _decisions(plan) == _decisions(english)
        assert plan.routes == english.routes
        assert plan.shortfall.visits == english.shortfall.visits
        assert plan.shortfall.slots == english.shortfall.slots


def test_english_is_the_default(scenario: Scenario, plans: dict[str, Plan]) -> None:
    assert current_language() == "en"
    plan = make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=ITERATIONS)
    assert plan == plans["en"]


def test_use_language_sets_the_language_of_a_run(
    scenario: Scenario, plans: dict[str, Plan]
) -> None:
    with use_language("sv"):
        plan = make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=ITERATIONS)
        with use_language("nb"):
            assert _("kept: {who} at {time}") == "beholdt: {who} kl. {time}"
        assert current_language() == "sv"
    assert current_language() == "en"
    assert plan == plans["sv"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_reason_is_in_the_language(plans: dict[str, Plan], code: str) -> None:
    plan = plans[code]
    prefixes = PREFIXES[code]
    seen = set()
    for entry in plan.visits:
        kind = "shortfall" if entry.shortfall else entry.decision
        assert entry.reason.startswith(prefixes[kind]), (code, entry.reason)
        seen.add(kind)
    # The scenario exercises every kind of decision, a shortfall included.
    assert seen >= {
        Decision.KEPT,
        Decision.REPLACED_BY_PHONE,
        Decision.HANDED_TO_RELATIVE,
        Decision.POSTPONED,
        "shortfall",
    }


def test_reasons_in_norwegian_and_swedish_read_right(plans: dict[str, Plan]) -> None:
    nb = " ".join(e.reason for e in plans["nb"].visits)
    sv = " ".join(e.reason for e in plans["sv"].visits)
    for word in ("beholdt", "utsatt", "kl. ", "ledig", "grense", "dager", "prioritetsklasse"):
        assert word in nb, word
    for word in ("genomförs", "skjuts upp", "kl. ", "ledig", "gräns", "dagar", "prioritetsklass"):
        assert word in sv, word
    for english in (" at work", " free ", "kept:", "postponed", "nobody", " min detour"):
        assert english not in nb and english not in sv, english


def test_the_shortfall_message_is_translated(plans: dict[str, Plan]) -> None:
    english, nb, sv = (plans[c].shortfall.message for c in LANGUAGES)
    assert english.startswith(f"{len(plans['en'].shortfall.visits)} visits that must be kept")
    assert "short by" in english
    count = len(plans["nb"].shortfall.visits)
    assert nb.startswith(f"{count} besøk som må beholdes, ble ikke beholdt. ")
    assert "underdekning på" in nb and "om lag" in nb and "short by" not in nb
    assert sv.startswith(f"{count} besök som måste genomföras genomförs inte. ")
    assert "bristande bemanning på" in sv and "ungefär" in sv and "short by" not in sv


def test_reason_kinds_read_every_language(plans: dict[str, Plan]) -> None:
    kinds = {code: [reason_kind(e) for e in plan.visits] for code, plan in plans.items()}
    assert kinds["nb"] == kinds["en"] == kinds["sv"]
    assert "other" not in Counter(kinds["en"])


def test_explanations_in_norwegian(scenario: Scenario, plans: dict[str, Plan]) -> None:
    plan = plans["nb"]
    missed = next(e for e in plan.visits if e.shortfall)
    with use_language("nb"):
        text = explain_client(plan, missed.client, scenario).text()
        summary = summarise_plan(plan, scenario).text()
    assert text.startswith(f"Bruker {missed.client}")
    assert "    hvorfor: " in text and "kapasitet som ville ha beholdt besøket: " in text
    assert "Beslutninger:" in summary and "UNDERDEKNING: " in summary
    with use_language("sv"):
        text = explain_client(plans["sv"], missed.client, scenario).text()
    assert text.startswith(f"Brukare {missed.client}") and "    varför: " in text


def test_a_replan_in_swedish(scenario: Scenario, plans: dict[str, Plan]) -> None:
    plan = plans["sv"]
    at = parse_clock("10:30")
    busy = Counter(
        c for e in plan.visits if e.start is not None and e.start >= at for c in e.caregivers
    )
    who = busy.most_common(1)[0][0]
    event = CaregiverIll(type="caregiver_ill", caregiver=who, from_=at)
    settings = ReplanSettings(max_iterations=ITERATIONS)
    result = replan(scenario, plan, [event], TRAVEL, settings, created_at=WHEN, language="sv")
    english = replan(scenario, plans["en"], [event], TRAVEL, settings, created_at=WHEN)
    assert _decisions(result.plan) == _decisions(english.plan)
    assert any("; omplanering: " in e.reason for e in result.plan.visits)
    assert not any("re-plan" in e.reason for e in result.plan.visits)
    with use_language("sv"):
        lines = summarise_plan(result.plan, result.scenario).replan_text()
    assert lines.startswith("Omplanering efter: ") and "sjuk från kl. 10:30" in lines


def test_an_unknown_language_is_refused(scenario: Scenario) -> None:
    with pytest.raises(ValueError, match="en, nb, sv"), use_language("de"):
        pass
    with pytest.raises(ValueError, match="unknown language 'no'"):
        make_plan(scenario, TRAVEL, created_at=WHEN, max_iterations=10, language="no")


@pytest.mark.parametrize("code", ["nb", "sv"])
def test_catalogues_are_complete_and_compiled(code: str, tmp_path: Path) -> None:
    po = LOCALE_DIR / code / "LC_MESSAGES" / "beredt.po"
    mo = LOCALE_DIR / code / "LC_MESSAGES" / "beredt.mo"
    fresh = tmp_path / "fresh.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(fresh), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert mo.read_bytes() == fresh.read_bytes(), "run scripts/planner-messages.sh"


def test_catalogues_hold_every_text_of_the_planner(tmp_path: Path) -> None:
    pot = tmp_path / "beredt.pot"
    sources = sorted(str(p) for p in (REPO / "beredt" / "planning").glob("*.py"))
    keywords = ["--keyword=_", "--keyword=ngettext:1,2", "--keyword=N_"]
    subprocess.run(
        ["xgettext", "-L", "Python", *keywords, "--from-code=UTF-8", "-o", str(pot), *sources],
        check=True,
        capture_output=True,
    )
    for code in ("nb", "sv"):
        po = LOCALE_DIR / code / "LC_MESSAGES" / "beredt.po"
        result = subprocess.run(
            ["msgcmp", str(po), str(pot)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"run scripts/planner-messages.sh: {result.stderr}"
