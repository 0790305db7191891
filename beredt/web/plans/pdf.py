"""Printable route sheets: the same template as the page, rendered to PDF by WeasyPrint.

No external resources: the stylesheet is inline in the template and WeasyPrint uses the
system's fonts, so a PDF renders the same offline."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def pdf_response(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
