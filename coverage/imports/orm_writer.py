"""Writing checked figures through the ORM (every database but PostgreSQL), with their change history: the rows
classified against the stored figures (new, changed, unchanged, refused), then written all or nothing. The same
outcome as the set-based writer (coverage.imports.pg_writer) gives."""

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..figures import access
from ..figures.fields import WRITTEN
from ..figures.latest import lock_series, refresh_latest
from ..models import (
    Door,
    Measurement,
)
from ..models.history import current_api_key
from ..models.versions import bump_data_version, provinces_of
from .report import CHANGE_SAMPLE, Outcome


def _new_figure_fields(figure, *, user, now):
    verified = figure["status"] != Measurement.Status.DRAFT
    return {
        **figure,
        "verified_by_id": user.pk if verified and user else None,
        "verified_at": now if verified else None,
        "version": 1,
        "is_latest": False,
        "created_at": now,
        "updated_at": now,
    }


def write_figures(to_create, to_update, *, user, now):
    history = {
        "default_user": user,
        "default_date": now,
        "custom_historical_attrs": {"history_door": Door.IMPORT, "history_api_key": current_api_key()},
    }
    new = [Measurement(**_new_figure_fields(figure, user=user, now=now)) for figure in to_create]
    bulk_create_with_history(new, Measurement, batch_size=2000, **history)
    bulk_update_with_history(
        to_update,
        Measurement,
        [*WRITTEN, "verified_by", "verified_at", "version", "updated_at"],
        batch_size=1000,
        **history,
    )


def existing_figures(checked, *, lock=False):
    """The stored figures the rows name, whole (their historical copies are whole too), locked if asked."""
    if not checked:
        return {}
    regions = {f["region_id"] for _, f in checked}
    indicators = {f["indicator_id"] for _, f in checked}
    dates = {f["as_of"] for _, f in checked}
    found = Measurement.objects.filter(indicator_id__in=indicators, as_of__in=dates)
    if len(regions) < 2000:
        found = found.filter(region_id__in=regions)
    if lock:
        found = found.select_for_update()
    return {(m.region_id, m.indicator_id, m.as_of): m for m in found}


def write(figures, *, publisher: bool, user, dry_run: bool, allowed: bool) -> Outcome:
    """Classify ``figures`` (CheckedFigures) and, unless ``dry_run`` or not ``allowed`` (bad rows elsewhere) or a
    row is refused, write them, in one transaction."""
    checked = list(figures.rows())
    if dry_run or not allowed:
        outcome, _to_create, _to_update = _classify(checked, existing_figures(checked), publisher=publisher)
        return outcome
    with transaction.atomic():
        # The rows to change are locked and read inside the transaction, so that no concurrent edit is lost.
        outcome, to_create, to_update = _classify(checked, existing_figures(checked, lock=True), publisher=publisher)
        if outcome.refused:
            return outcome
        # Figures that are or will be published: what anonymous readers see, and what is_latest is chosen from.
        public = [(f["region_id"], f["indicator_id"]) for f in to_create if access.changes_public(None, f["status"])]
        public += [
            (m.region_id, m.indicator_id) for m in to_update if access.changes_public(m._loaded_status, m.status)
        ]
        lock_series({r for r, _ in public}, {i for _, i in public})  # before any figure is written: see lock_series
        now = timezone.now()  # at write time, so that ?updated_after= polls never miss an import
        for figure in to_update:
            figure.updated_at = now
            if figure.status != Measurement.Status.DRAFT:
                figure.verified_by, figure.verified_at = user, now
        write_figures(to_create, to_update, user=user, now=now)
        refresh_latest(public)
        provinces = provinces_of(r for r, _ in public)
        bump_data_version(public=bool(provinces), provinces=provinces)
    return outcome


def _classify(checked, existing, *, publisher):
    """(outcome, figures to create, figures to change) of the checked rows against the stored ones."""
    default_status = access.default_import_status(publisher=publisher)
    outcome, to_create, to_update = Outcome(), [], []
    for line, figure in checked:
        current = existing.get((figure["region_id"], figure["indicator_id"], figure["as_of"]))
        if figure["status"] is None:
            figure["status"] = current.status if current is not None else default_status
        if current is not None and all(getattr(current, name) == figure[name] for name in WRITTEN):
            outcome.unchanged += 1
            continue
        current_status = current.status if current is not None else None
        if access.publication_refused(publisher=publisher, status=figure["status"], current=current_status):
            outcome.refused.append(line)
            continue
        if current is None:
            to_create.append(figure)
            continue
        if len(outcome.changes) < CHANGE_SAMPLE:
            changed = {name: (getattr(current, name), figure[name]) for name in WRITTEN}
            outcome.changes.append(
                {"line": line, "id": current.pk, **{k: v for k, v in changed.items() if v[0] != v[1]}}
            )
        for name in WRITTEN:
            setattr(current, name, figure[name])
        current.version += 1
        to_update.append(current)
    outcome.created, outcome.updated = len(to_create), len(to_update)
    return outcome, to_create, to_update
