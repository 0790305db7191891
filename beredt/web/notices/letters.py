"""Letters to clients about a change notice: one A4 page per client, in the client's
language (nb, sv or en), rendered by WeasyPrint from ``notices/letter.html``.

A letter says who writes (municipality and unit), what changes in plain words, for how
long, why, and whom to call. The change items come from ``Notice.changes``; their
``from``/``to``/``why`` texts are already in the client's language (the notice
generator writes them so), the sentences around them are translated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import override, pgettext

from beredt.web.care.models import Unit
from beredt.web.notices.models import Notice, NoticeState

LETTER_TEMPLATE = "notices/letter.html"
DOCUMENT_TEMPLATE = "notices/letter_document.html"


@dataclass(frozen=True)
class LetterChange:
    """One change item as the letter shows it."""

    task: str
    what: str
    from_label: str
    from_text: str
    to_label: str
    to_text: str
    how_long: str
    why: str


def letter_language(notice: Notice) -> str:
    """The client's language if the site has it, else the site default."""
    available = {code for code, _name in settings.LANGUAGES}
    language = notice.client.language
    return language if language in available else settings.LANGUAGE_CODE


def _what(kind: str) -> str:
    """The change in one plain sentence (current language)."""
    sentences = {
        "phone": pgettext("letter", "Instead of a visit, we will phone you."),
        "relative": pgettext("letter", "A relative will help you with this instead of us."),
        "postponed": pgettext("letter", "This visit is postponed."),
        "cancelled": pgettext("letter", "This visit is cancelled."),
        "new_caregiver": pgettext("letter", "A caregiver you have not met before will come."),
        "redeployed": pgettext(
            "letter",
            "A colleague from another service, who is helping us for now, will come. "
            "They will show you their ID card.",
        ),
        "moved": pgettext("letter", "The visit will be at a different time than usual."),
        "restored": pgettext("letter", "This is back to normal: the visit happens as usual."),
    }
    return sentences.get(kind, pgettext("letter", "This changes."))


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _how_long(kind: str, until: Any) -> str:
    """How long the change lasts, when the item says; the letter says once for the
    rest that they apply to the notice's day (:func:`for_now`)."""
    end = _day(until)
    if kind == "restored" or end is None:
        return str(until) if until and end is None else ""  # a text the generator wrote
    if kind == "postponed":
        return pgettext("letter", "New day: %(date)s.") % {"date": date_format(end)}
    return pgettext("letter", "This lasts until %(date)s.") % {"date": date_format(end)}


def for_now(day: dt.date) -> str:
    return pgettext(
        "letter", "For now this applies to %(date)s. We will tell you if it lasts longer."
    ) % {"date": date_format(day)}


def letter_change(item: dict[str, Any]) -> LetterChange:
    """A ``Notice.changes`` item in the words of the letter (current language)."""
    kind = str(item.get("kind", ""))
    caregiver = kind in {"new_caregiver", "redeployed"}
    return LetterChange(
        task=str(item.get("task") or ""),
        what=_what(kind),
        from_label=pgettext("letter", "When") if caregiver else pgettext("letter", "Before"),
        from_text=str(item.get("from") or ""),
        to_label=pgettext("letter", "Who comes") if caregiver else pgettext("letter", "Now"),
        to_text=str(item.get("to") or ""),
        how_long=_how_long(kind, item.get("until")),
        why=str(item.get("why") or ""),
    )


def letter_html(notice: Notice, *, written: dt.date | None = None) -> SafeString:
    """One letter (an ``<article>``), rendered in the client's language."""
    language = letter_language(notice)
    unit = notice.unit
    with override(language):
        changes = [letter_change(item) for item in notice.changes or []]
        open_ended = any(
            not c.how_long and item.get("kind") != "restored"
            for c, item in zip(changes, notice.changes or [], strict=True)
        )
        context = {
            "language": language,
            "notice": notice,
            "client": notice.client,
            "unit": unit,
            "municipality": unit.municipality,
            "written": written or timezone.localdate(),
            "day": notice.date,
            "changes": changes,
            "for_now": for_now(notice.date) if open_ended else "",
        }
        return mark_safe(render_to_string(LETTER_TEMPLATE, context))


def document_html(notices: Iterable[Notice], *, written: dt.date | None = None) -> str:
    """The A4 document around the letters, one letter per page."""
    letters = [letter_html(n, written=written) for n in notices]
    return render_to_string(DOCUMENT_TEMPLATE, {"letters": letters})


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return HTML(string=html).write_pdf()


def letter_pdf(notice: Notice) -> bytes:
    """The PDF letter for one notice."""
    return _pdf(document_html([notice]))


def letters_pdf(notices: Iterable[Notice]) -> bytes:
    """One PDF with a letter per notice, each on its own page and in its own language."""
    return _pdf(document_html(notices))


def open_notices(unit: Unit, day: dt.date) -> QuerySet[Notice]:
    """The notices of ``unit`` on ``day`` whose client has not been told yet."""
    return (
        Notice.objects.filter(unit=unit, date=day, state=NoticeState.OPEN)
        .select_related("client", "unit__municipality")
        .order_by("client__name", "pk")
    )
