"""The admin's import page: upload, preview (a dry run of the same service as the API and the command), confirm.

The file of a preview waits in the temporary folder for its confirmation: removed on confirm and on cancel, and
after PREVIEW_HOURS if neither comes (every visit to the page sweeps the folder)."""

import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .. import imports
from ..api.clients import actor_of
from ..figures import access
from ..models import Measurement, Source
from ..regions import crosswalk

PREVIEW_HOURS = 24
TEMPLATE = "admin/coverage/measurement/import.html"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, XLSX or JSON)"))
    source = forms.ModelChoiceField(
        Source.objects.all(), required=False, label=_("Source for rows that do not name one")
    )
    code_system = forms.TypedChoiceField(
        choices=[(crosswalk.KEMENDAGRI, _("Kemendagri (64.07)")), (crosswalk.BPS, _("BPS (6402)"))],
        initial=crosswalk.KEMENDAGRI,
        required=False,
        empty_value=crosswalk.KEMENDAGRI,  # as the API and the command: Kemendagri unless told
        label=_("Region codes in the file"),
        help_text=_("BPS codes are read by the BPS crosswalk; the figures keep Kemendagri codes."),
    )


def import_directory() -> Path:
    directory = Path(tempfile.gettempdir()) / "adminduk-imports"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def remove_expired_previews(*, now: float | None = None) -> None:
    """Remove the preview files older than PREVIEW_HOURS: their confirmation never came."""
    oldest = (time.time() if now is None else now) - PREVIEW_HOURS * 3600
    for path in import_directory().iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except FileNotFoundError:  # removed meanwhile, by another request
            pass


def _preview(token) -> Path | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    return next(import_directory().glob(f"{token}.*"), None)


def measurement_import_view(model_admin, request):
    """Upload → preview (a dry run of the same service as the API and the command) → confirm, or cancel."""
    access.check_may_import(actor_of(request))  # a PermissionDenied: the admin's 403 page
    remove_expired_previews()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Measurement._meta,
        "title": _("Import figures"),
        "preview_hours": PREVIEW_HOURS,
    }
    limits = imports.web_limits()
    if request.method == "POST" and "cancel" in request.POST:
        stored = _preview(request.POST.get("token"))
        if stored is not None:
            stored.unlink(missing_ok=True)
        messages.info(request, _("Import cancelled: nothing was written."))
        return redirect("admin:coverage_measurement_import")
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, context, limits)
    if request.method == "POST":
        try:
            # A file over the limit was dropped unread (coverage.parsers.ImportSizeUploadHandler): say why.
            limits.check_request(int(request.META.get("CONTENT_LENGTH") or 0), form=True)
        except imports.ImportFileError as exc:
            context = {**context, "refusal": str(exc), "form": ImportForm(initial=request.POST), "limits": limits}
            return TemplateResponse(request, TEMPLATE, context, status=exc.status)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source = form.cleaned_data["source"]
        code_system = form.cleaned_data["code_system"]
        try:
            rows = imports.read_table(
                upload, limits=limits, filename=upload.name, content_type=upload.content_type or ""
            )
            report = imports.import_measurements(
                rows,
                actor=actor_of(request),
                dry_run=True,
                default_source=source.pk if source else None,
                code_system=code_system,
            )
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = uuid.uuid4().hex
            if not report.error_count:
                suffix = Path(upload.name).suffix.lower()
                suffix = suffix if suffix in (".csv", ".xlsx", ".json") else ".upload"
                upload.seek(0)
                with (import_directory() / f"{token}{suffix}").open("wb") as stored:
                    shutil.copyfileobj(upload, stored)
            return TemplateResponse(
                request,
                TEMPLATE,
                {
                    **context,
                    "report": report,
                    "token": token,
                    "source": source.pk if source else "",
                    "code_system": code_system,
                    "limits": limits,
                },
            )
    return TemplateResponse(request, TEMPLATE, {**context, "form": form, "limits": limits})


def _confirm(request, context, limits):
    stored = _preview(request.POST.get("token"))
    if stored is None:
        messages.error(
            request,
            _("The preview has expired (after %(hours)s hours) or was already used: upload the file again.")
            % {"hours": PREVIEW_HOURS},
        )
        return redirect("admin:coverage_measurement_import")
    source = request.POST.get("source") or None
    code_system = request.POST.get("code_system") or crosswalk.KEMENDAGRI
    if code_system not in crosswalk.CODE_SYSTEMS:  # the preview's own hidden field, changed: upload again
        stored.unlink(missing_ok=True)
        messages.error(request, _("The preview's code system is not one of kemendagri, bps: upload the file again."))
        return redirect("admin:coverage_measurement_import")
    try:
        with stored.open("rb") as file:
            rows = imports.read_table(file, limits=limits, filename=stored.name)
        report = imports.import_measurements(
            rows,
            actor=actor_of(request),
            dry_run=False,
            default_source=int(source) if source and source.isdigit() else None,
            code_system=code_system,
        )
    except imports.ImportFileError as exc:  # the limits changed since the preview
        messages.error(request, str(exc))
        return redirect("admin:coverage_measurement_import")
    finally:
        stored.unlink(missing_ok=True)
    if report.error_count:
        return TemplateResponse(request, TEMPLATE, {**context, "report": report, "limits": limits})
    messages.success(
        request,
        _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
        % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
    )
    return redirect("admin:coverage_measurement_changelist")
