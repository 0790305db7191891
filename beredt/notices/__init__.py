"""Change notices as pure domain logic: what a plan changes in each client's care.

Imports the domain (and the planner's language) only; the web app stores the result as
:class:`beredt.web.notices.models.Notice` rows and tracks who has been told.
"""

from __future__ import annotations

from beredt.notices.changes import Change, ChangeKind, client_changes

__all__ = ["Change", "ChangeKind", "client_changes"]
