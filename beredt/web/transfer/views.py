"""Import and export pages. Thin: parse the request, check access, call an action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beredt.web import access
from beredt.web.care.models import Unit
from beredt.web.transfer import actions, formats
from beredt.web.transfer.models import ImportBatch, ImportStatus

PREVIEW_ROWS = 500
"""Rows of changes shown on the preview page; the counts always cover the whole file."""


class UploadForm(forms.Form):
    register = forms.ChoiceField(
        label=gettext_lazy("Register"),
        choices=[(r.name, r.title) for r in formats.REGISTERS.values()],
    )
    file = forms.FileField(
        label=gettext_lazy("File (XLSX or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > actions.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return upload


def _unit(request: HttpRequest, code: str) -> Unit:
    unit = get_object_or_404(Unit, code=code)
    access.require_read(request.user, unit)
    return unit


def _register(name: str, fmt: str | None = None) -> formats.Register:
    if name not in formats.REGISTERS or (fmt is not None and fmt not in formats.FORMATS):
        raise Http404("no such register or format")
    return formats.REGISTERS[name]


def _attachment(content: bytes, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    units = list(access.visible_units(request.user))
    if not units:
        raise PermissionDenied("no access to any unit's registers")
    if len(units) == 1:
        return redirect("transfer:unit", unit=units[0].code)
    return render(request, "transfer/index.html", {"units": units})


@require_GET
def unit_page(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit)
    can_edit = access.can_edit_unit(request.user, the_unit)
    return render(
        request,
        "transfer/unit.html",
        {
            "unit": the_unit,
            "registers": list(formats.REGISTERS.values()),
            "can_edit": can_edit,
            "form": UploadForm() if can_edit else None,
            "pending": ImportBatch.objects.filter(
                unit=the_unit, status=ImportStatus.PENDING
            ).select_related("created_by")[:20],
        },
    )


@require_GET
def template(request: HttpRequest, register: str, fmt: str) -> HttpResponse:
    if not access.visible_units(request.user).exists():
        raise PermissionDenied("no access to any unit's registers")
    spec = _register(register, fmt)
    return _attachment(
        formats.template_bytes(spec, fmt),
        f"beredt-{spec.name}-template.{fmt}",
        actions.CONTENT_TYPES[fmt],
    )


@require_GET
def export(request: HttpRequest, unit: str, register: str, fmt: str) -> HttpResponse:
    the_unit = _unit(request, unit)
    _register(register, fmt)
    result = actions.export_register(request.user, the_unit, register, fmt, request=request)
    return _attachment(result.content, result.file_name, result.content_type)


@require_POST
def upload(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit)
    access.require_edit(request.user, the_unit)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "transfer/unit.html",
            {
                "unit": the_unit,
                "registers": list(formats.REGISTERS.values()),
                "can_edit": True,
                "form": form,
                "pending": [],
            },
            status=400,
        )
    upload = form.cleaned_data["file"]
    batch, _plan = actions.upload_import(
        request.user, the_unit, form.cleaned_data["register"], upload.name, upload.read()
    )
    return redirect("transfer:preview", batch_id=batch.pk)


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch.objects.select_related("unit"), pk=batch_id)
    access.require_edit(request.user, batch.unit)
    return batch


@require_GET
def preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    plan = actions.read_plan(batch, request.user) if batch.content else None
    changed = plan.changed_rows if plan else []
    return render(
        request,
        "transfer/preview.html",
        {
            "batch": batch,
            "plan": plan,
            "counts": plan.counts if plan else batch.counts,
            "changed": changed[:PREVIEW_ROWS],
            "more_changed": max(0, len(changed) - PREVIEW_ROWS),
            "errors": [str(e) for e in plan.errors] if plan else [],
            "can_apply": plan is not None
            and not plan.errors
            and batch.status == ImportStatus.PENDING,
        },
    )


@require_POST
def apply(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        plan = actions.apply_import(batch, request.user, request=request)
    except actions.ImportRefused as exc:
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc})
        return redirect("transfer:preview", batch_id=batch.pk)
    counts = plan.counts
    messages.success(
        request,
        _("Imported: %(create)d created, %(change)d changed, %(unchanged)d unchanged.") % counts,
    )
    return redirect("transfer:history", unit=batch.unit.code)


@require_POST
def discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    actions.discard_import(batch, request.user)
    messages.info(request, _("The import was discarded."))
    return redirect("transfer:unit", unit=batch.unit.code)


@require_GET
def history(request: HttpRequest, unit: str) -> HttpResponse:
    the_unit = _unit(request, unit)
    batches = ImportBatch.objects.filter(unit=the_unit).select_related("finished_by")[:200]
    return render(
        request,
        "transfer/history.html",
        {
            "unit": the_unit,
            "batches": batches,
            "can_edit": access.can_edit_unit(request.user, the_unit),
        },
    )
