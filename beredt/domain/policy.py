"""The triage policy: what may happen to a visit of each priority class when capacity is
short. The default is the table in DOMAIN.md; a municipality edits it as data."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from beredt.domain.model import InfectionStatus, PriorityClass, Strict, Vulnerability


class Decision(StrEnum):
    """What happens to a planned visit."""

    KEPT = "KEPT"
    REPLACED_BY_PHONE = "REPLACED_BY_PHONE"
    HANDED_TO_RELATIVE = "HANDED_TO_RELATIVE"
    POSTPONED = "POSTPONED"
    CANCELLED = "CANCELLED"


class ClassRule(Strict):
    """The actions a priority class allows besides keeping the visit, in order of
    preference."""

    priority_class: PriorityClass
    label: str
    examples: str = ""
    alternatives: list[Decision] = Field(default_factory=list)
    keep_for_special_needs: bool = Field(
        default=False, description="Never reduce this class for clients with special needs"
    )
    cancel_least_vulnerable_first: bool = False

    @model_validator(mode="after")
    def _no_kept_alternative(self) -> ClassRule:
        if Decision.KEPT in self.alternatives:
            raise ValueError("KEPT is always allowed; list only the alternatives")
        if len(set(self.alternatives)) != len(self.alternatives):
            raise ValueError("alternatives repeat")
        return self


class TriagePolicy(Strict):
    """A municipality's triage policy."""

    classes: list[ClassRule] = Field(min_length=5, max_length=5)
    escalate_overdue_to_class: PriorityClass = Field(
        default=2,
        description="A postponed visit that reaches its deferral limit becomes this class",
    )
    infection_team_statuses: list[InfectionStatus] = Field(
        default_factory=lambda: [InfectionStatus.ISOLATED, InfectionStatus.SUSPECTED],
        description="Clients with these statuses are served only by the infection team",
    )
    multi_site_excluded_vulnerability: Vulnerability = Field(
        default=Vulnerability.HIGH,
        description="Staff with other workplaces do not visit clients this vulnerable or more",
    )

    @model_validator(mode="after")
    def _one_rule_per_class(self) -> TriagePolicy:
        seen = [rule.priority_class for rule in self.classes]
        if sorted(seen) != [1, 2, 3, 4, 5]:
            raise ValueError(f"need exactly one rule for each class 1-5, got {sorted(seen)}")
        return self

    def rule(self, priority_class: int) -> ClassRule:
        for rule in self.classes:
            if rule.priority_class == priority_class:
                return rule
        raise KeyError(priority_class)

    def allowed(self, priority_class: int) -> frozenset[Decision]:
        """Every decision the policy allows for a visit of this class."""
        return frozenset([Decision.KEPT, *self.rule(priority_class).alternatives])


def default_policy() -> TriagePolicy:
    """The default policy of DOMAIN.md ("Triage policy")."""
    return TriagePolicy(
        classes=[
            ClassRule(
                priority_class=1,
                label="life-critical",
                examples="medication, insulin, palliative care, urgent wound care, "
                "meals for clients who cannot eat otherwise",
            ),
            ClassRule(
                priority_class=2,
                label="necessary",
                examples="morning/evening personal care, toileting, meals with help",
                alternatives=[Decision.HANDED_TO_RELATIVE],
            ),
            ClassRule(
                priority_class=3,
                label="supervision",
                examples="check-in visits, safety visits, stockings on/off",
                alternatives=[
                    Decision.REPLACED_BY_PHONE,
                    Decision.HANDED_TO_RELATIVE,
                    Decision.POSTPONED,
                ],
            ),
            ClassRule(
                priority_class=4,
                label="deferrable",
                examples="shower, cleaning, shopping, laundry",
                alternatives=[Decision.POSTPONED],
            ),
            ClassRule(
                priority_class=5,
                label="social/relief",
                examples="support contact, individual respite, day activity",
                alternatives=[Decision.CANCELLED],
                keep_for_special_needs=True,
                cancel_least_vulnerable_first=True,
            ),
        ]
    )


class SchedulingRules(Strict):
    """Hard limits the plan checker enforces; the planner's objective weights are
    separate (planner settings)."""

    late_start_tolerance: int = Field(
        default=0,
        ge=0,
        le=240,
        description="Minutes a visit may start after its window's latest start; "
        "0 makes the latest start hard",
    )


class ObjectiveWeights(Strict):
    """How the optimiser trades care kept against travel, lateness, continuity and
    fairness. Costs are in "minutes of travel" equivalents; a municipality edits them."""

    class_value: dict[int, float] = Field(
        default_factory=lambda: {1: 0.0, 2: 400.0, 3: 60.0, 4: 20.0, 5: 8.0},
        description="Cost per minute of care not kept, by priority class (class 1 is "
        "mandatory and not weighed)",
    )
    vulnerability_factor: dict[int, float] = Field(
        default_factory=lambda: {1: 0.8, 2: 1.0, 3: 1.5},
        description="Multiplies the cost of not keeping care, by client vulnerability",
    )
    alternative_discount: dict[Decision, float] = Field(
        default_factory=lambda: {
            Decision.HANDED_TO_RELATIVE: 0.5,
            Decision.REPLACED_BY_PHONE: 0.6,
            Decision.POSTPONED: 0.7,
            Decision.CANCELLED: 1.0,
        },
        description="Share of the cost that remains when the policy's alternative is used",
    )
    postponement_growth: float = Field(
        default=0.5, ge=0, description="Extra share of cost per day a visit was already postponed"
    )
    travel: float = Field(default=1.0, ge=0, description="Per minute of travel")
    tardiness: float = Field(default=2.0, ge=0, description="Per minute started after the window")
    known_caregiver_bonus: float = Field(
        default=8.0, ge=0, description="Saved per visit by a caregiver the client knows"
    )
    distinct_caregivers: float = Field(
        default=15.0, ge=0, description="Per extra distinct caregiver a client sees in a day"
    )
    isolated_distinct_caregivers: float = Field(
        default=200.0, ge=0, description="Per extra distinct caregiver an isolated client sees"
    )
    infection_crossing: float = Field(
        default=30.0, ge=0, description="Per step from an infectious home to a non-infectious one"
    )
    workload: float = Field(
        default=2.0, ge=0, description="Times the sum of squared working hours: evens out load"
    )
