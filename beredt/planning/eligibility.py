"""Who may do a visit: competence, delegation, infection team, multi-site and redeployed
staff. The planner's own reading of the rules; the plan checker has an independent one."""

from __future__ import annotations

import datetime as dt

from beredt.domain.model import Caregiver
from beredt.domain.scenario import Scenario, Visit
from beredt.planning.language import N_, _


def ineligibility(
    scenario: Scenario, caregiver: Caregiver, visit: Visit, day: dt.date
) -> str | None:
    """Why ``caregiver`` may not do ``visit`` on ``day``, or ``None`` if they may."""
    task, client = visit.task, visit.client
    if task.competence not in caregiver.competences:
        return _("needs {competence}").format(competence=_role(task.competence))
    if task.medication and not caregiver.may_give_medication:
        return _("needs medication delegation")
    infectious = needs_team(scenario, visit, day)
    if infectious and not caregiver.infection_team:
        return _("client is isolated: infection team only")
    if caregiver.is_multi_site and (
        infectious or client.vulnerability >= scenario.policy.multi_site_excluded_vulnerability
    ):
        return _("staff with other workplaces are kept away from this client")
    if caregiver.redeployed_from is not None and not task.suitable_for_redeployed:
        return _("task is not marked suitable for redeployed staff")
    return None


_ROLES = {"nurse": N_("nurse"), "health_worker": N_("health_worker"), "assistant": N_("assistant")}
"""A role by its identifier, as "needs ..." names it (the identifier itself in English)."""


def _role(competence: str) -> str:
    return _(_ROLES[competence]) if competence in _ROLES else competence


def needs_team(scenario: Scenario, visit: Visit, day: dt.date) -> bool:
    """Only the infection team may do ``visit`` on ``day``.

    An infection status that begins during the day (``InfectionPeriod.since_time``, set
    by a re-plan) applies to every visit that may start at or after that time: the
    latest start its window allows decides, so a visit that might start after the
    isolation begins goes to the team.
    """
    latest = visit.window.end + scenario.rules.late_start_tolerance
    return scenario.needs_infection_team(visit.client, day, at=latest)
