"""The admin's import page: upload, preview (a dry run of the same service as the API and the command), confirm."""

import re
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Measurement, Source
from .scopes import scope_of


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, XLSX or JSON)"))
    source = forms.ModelChoiceField(
        Source.objects.all(), required=False, label=_("Source for rows that do not name one")
    )


def import_directory() -> Path:
    directory = Path(tempfile.gettempdir()) / "adminduk-imports"
    directory.mkdir(mode=0o700, exist_ok=True)
    return directory


def measurement_import_view(model_admin, request):
    """Upload → preview (a dry run of the same service as the API and the command) → confirm."""
    if not request.user.has_perms(["coverage.add_measurement", "coverage.change_measurement"]):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": Measurement._meta, "title": _("Import figures")}
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        stored = next(import_directory().glob(f"{token}.*"), None) if re.fullmatch(r"[0-9a-f]{32}", token) else None
        if stored is None:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("admin:coverage_measurement_import")
        source = request.POST.get("source") or None
        report = services.import_measurements(
            services.read_table(stored.read_bytes(), filename=stored.name),
            user=request.user,
            dry_run=False,
            scope=scope_of(request.user),
            default_source=int(source) if source and source.isdigit() else None,
        )
        stored.unlink(missing_ok=True)
        if report.errors:
            return TemplateResponse(request, "admin/coverage/measurement/import.html", {**context, "report": report})
        messages.success(
            request,
            _("Imported: %(created)s new, %(updated)s changed, %(unchanged)s unchanged.")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )
        return redirect("admin:coverage_measurement_changelist")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source = form.cleaned_data["source"]
        content = upload.read()
        try:
            rows = services.read_table(content, filename=upload.name, content_type=upload.content_type or "")
            report = services.import_measurements(
                rows,
                user=request.user,
                dry_run=True,
                scope=scope_of(request.user),
                default_source=source.pk if source else None,
                max_rows=settings.IMPORT_MAX_ROWS,
            )
        except services.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            token = uuid.uuid4().hex
            if not report.errors:
                suffix = Path(upload.name).suffix.lower()
                suffix = suffix if suffix in (".csv", ".xlsx", ".json") else ".upload"
                (import_directory() / f"{token}{suffix}").write_bytes(content)
            return TemplateResponse(
                request,
                "admin/coverage/measurement/import.html",
                {**context, "report": report, "token": token, "source": source.pk if source else ""},
            )
    return TemplateResponse(request, "admin/coverage/measurement/import.html", {**context, "form": form})
