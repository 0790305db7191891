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
