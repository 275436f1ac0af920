"""Who may see, write, publish and delete figures, and change the reference data around them: every rule, once.

Every door asks here: the API (views, filters, serializers), the admin, the three import doors, the history and
``known_at`` reads, exports and answers. Refusals are Django's PermissionDenied with a stable ``code``
(``out_of_scope`` for regions, ``permission_denied`` for the right to publish); the API maps them to its error
shape, the admin to its own pages. Nothing here knows HTTP.

The rules:

- **Scope.** A user with region grants acts within them (a grant covers the region and everything below it); a
  user without grants is national if a superuser or holding ``coverage.edit_all_regions``, and otherwise acts
  nowhere. An API key acts for its account and may narrow it further, never widen it. The command line without
  ``--user`` acts nationally (whoever runs it holds the database anyway).
- **See.** Everyone sees published figures. Draft and verified figures are seen only by clients allowed to see
  unpublished figures (``view_unpublished_measurement``, ``publish_measurement`` or ``change_measurement``), and
  only within their scope: reads are scoped like writes, so a forgotten grant hides drafts instead of showing the
  whole country's.
- **Write.** A figure is written only within the writer's scope: both the region it is in and the region it goes
  to. Scope is checked before anything that looks at other regions' rows (a uniqueness check would otherwise tell
  a writer which hidden figures exist).
- **Publish.** Only clients allowed to publish (``publish_measurement``) make a figure verified or published, or
  change or delete one that is; others write drafts over drafts.
- **Reference data.** Regions, indicators, national targets and partnerships are shown publicly and used by every
  province: changing them needs national scope and the right to publish. So does changing a source cited by a
  verified or published figure, a target or a partnership; any writer may create sources, and change those cited
  by nothing but drafts in their own scope.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..models import ClientKey, Measurement, Source
from ..regions.scopes import NATIONAL, RegionScope, scope_of
from .fields import CONTENT

PUBLISHED = Measurement.Status.PUBLISHED
DRAFT = Measurement.Status.DRAFT


class AccessDenied(PermissionDenied):
    """A refusal with a stable machine-readable code."""

    code = "permission_denied"

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self):
        return str(self.message)


class OutOfScope(AccessDenied):
    code = "out_of_scope"


class NotVisible(LookupError):
    """The figure exists, but not for this client: answered exactly as a figure that does not exist."""


@dataclass(frozen=True)
class Actor:
    """Who is asking: an account (``None``: the command line without --user), acting through an API key or not."""

    user: object = None
    key: object = None

    @property
    def authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    def has_perm(self, codename: str) -> bool:
        return self.authenticated and self.user.has_perm(f"coverage.{codename}")

    @cached_property
    def scope(self) -> RegionScope:
        return NATIONAL if self.user is None else scope_of(self.user, self.key)

    @cached_property
    def may_publish(self) -> bool:
        return self.has_perm("publish_measurement")

    @cached_property
    def may_see_unpublished(self) -> bool:
        return any(
            self.has_perm(codename)
            for codename in ("view_unpublished_measurement", "publish_measurement", "change_measurement")
        )


COMMAND_LINE = Actor()
ANONYMOUS = Actor(AnonymousUser())


def _outside(actor: Actor, code: str) -> OutOfScope:
    return OutOfScope(
        _("Region %(code)s is outside the regions you may write (%(scope)s).") % {"code": code, "scope": actor.scope}
    )


# --- keys -------------------------------------------------------------------------------------------------------


def check_key_may_write(actor: Actor) -> None:
    """A read key never writes, whatever its account may."""
    if actor.key is not None and actor.key.scope != ClientKey.Scope.READ_WRITE:
        raise AccessDenied(_("This API key may only read."), code="read_only_key")


def may_manage_keys(actor: Actor) -> bool:
    """A key acts for an account, so whoever makes keys can act as any account: superusers only."""
    return actor.authenticated and actor.user.is_active and actor.user.is_superuser


def check_key_regions(account, regions) -> None:
    """A key may narrow its account's regions, never widen them: every region given must be in the account's scope
    (the admin's key form and ``manage.py api_key`` ask here)."""
    scope = scope_of(account)
    outside = [region.code for region in regions if not scope.allows(region.code)]
    if outside:
        raise OutOfScope(
            _("Outside the regions of %(user)s (%(scope)s): %(codes)s.")
            % {"user": account, "scope": scope, "codes": ", ".join(outside)}
        )


# --- see --------------------------------------------------------------------------------------------------------


def visible_figures(queryset: QuerySet, actor: Actor, *, region_code: str = "region__code") -> QuerySet:
    """The rows of ``queryset`` (figures, or their historical rows) that ``actor`` may see."""
    return queryset.filter(visibility(actor, region_code=region_code))


def public_figures() -> QuerySet:
    """The figures everyone may see: what every answer (ranking, attainment, summary, dashboard) is computed from,
    whoever asks, since answers are kept and served to all."""
    return visible_figures(Measurement.objects.all(), ANONYMOUS)


def public_figures_history() -> QuerySet:
    """The historical states of figures that everyone could see when they were current."""
    return visible_figures(Measurement.history.all(), ANONYMOUS)


def changes_public(before: str | None, after: str | None) -> bool:
    """Whether a write that takes a figure from status ``before`` (None: new) to ``after`` (None: deleted) changes
    what everyone sees, and the latest published figure of its series."""
    return is_public(before) or is_public(after)


def changes_public_sql(before: str, after: str) -> str:
    """changes_public in SQL, of two status columns."""
    return f"({before} = '{PUBLISHED}' OR {after} = '{PUBLISHED}')"


def is_public(status: str) -> bool:
    """Whether a figure with ``status`` is one everyone sees (a write that makes a figure so, or stops it being so,
    changes the public data)."""
    return status == PUBLISHED


def visibility(actor: Actor, *, region_code: str = "region__code") -> Q:
    """The condition of visible_figures(), to combine with others."""
    published = Q(status=PUBLISHED)
    if not actor.may_see_unpublished or actor.scope.empty:
        return published
    if actor.scope.national:
        return Q()
    return published | actor.scope.q(region_code)


def check_may_ask_for_unpublished(actor: Actor) -> None:
    """For a read that names draft or verified figures (``?status=draft``)."""
    if not actor.may_see_unpublished:
        raise AccessDenied(_("Only clients allowed to see unpublished figures may ask for status."))


def check_may_read_history(actor: Actor, region_codes) -> None:
    """The change history of a figure shows its unpublished states: for clients allowed to see unpublished figures,
    and only of a figure that was always within their scope (``region_codes``: every region it was ever in).
    NotVisible when it never was theirs to see."""
    if not actor.may_see_unpublished:
        raise AccessDenied(_("The history of a figure needs the permission to see unpublished figures."))
    codes = set(region_codes)  # None: a region deleted since (load_regions --prune), outside any regional scope
    if not codes or not all(actor.scope.national or (code is not None and actor.scope.allows(code)) for code in codes):
        raise NotVisible()


def admin_figures(queryset: QuerySet, actor: Actor) -> QuerySet:
    """The admin's list: what the actor may see, narrowed to their own regions when they have any (an operator
    works on their regions' figures; the API still shows them every region's published figures)."""
    queryset = visible_figures(queryset, actor)
    if not actor.scope.national and not actor.scope.empty:
        queryset = queryset.filter(actor.scope.q())
    return queryset


def may_open_in_admin(actor: Actor, figure: Measurement) -> bool:
    """Whether the figure is in admin_figures() for ``actor`` (the history pages ask too)."""
    return admin_figures(Measurement.objects.filter(pk=figure.pk), actor).exists()


# --- write, publish, delete figures ------------------------------------------------------------------------------


def check_may_write_figure(actor: Actor, *, figure: Measurement | None = None, region=None) -> None:
    """OutOfScope unless the figure's current region and the region it is written to lie in the actor's scope.
    Call before any check that looks at other regions' rows."""
    for code in (figure.region.code if figure is not None else None, getattr(region, "code", region)):
        if code is not None and not actor.scope.allows(code):
            raise _outside(actor, code)


def check_may_import(actor: Actor) -> None:
    """An import creates and changes figures: both model permissions (the command line without --user may)."""
    if actor.user is not None and not (actor.has_perm("add_measurement") and actor.has_perm("change_measurement")):
        raise AccessDenied(_("Importing figures needs the permissions to add and change figures."))


def default_import_status(*, publisher: bool) -> str:
    """The status of a new figure an import row leaves without one: what the importer may write."""
    return PUBLISHED if publisher else DRAFT


def publication_refused(*, publisher: bool, status: str, current: str | None) -> bool:
    """Whether writing a figure with ``status`` over one with status ``current`` (None: a new figure) needs the right
    to publish that the writer lacks. The import's set-based writer states the same rule in SQL:
    publication_refused_sql()."""
    return not publisher and (status != DRAFT or (current or DRAFT) != DRAFT)


def publication_refused_sql(*, publisher: bool, status: str, current: str) -> str:
    """publication_refused() as an SQL condition on the columns named ``status`` and ``current``."""
    if publisher:
        return "false"
    return f"({status} <> '{DRAFT}' OR coalesce({current}, '{DRAFT}') <> '{DRAFT}')"


PUBLISH_ONLY = _("Only clients allowed to publish may write a verified or published figure; others write drafts.")


def publication_changes(actor: Actor, *, figure: Measurement | None, attrs: dict) -> dict:
    """The status fields a write of ``attrs`` over ``figure`` (None: a new one) implies, or AccessDenied.

    A figure made verified or published, or changed while it is, records the publisher and the time: a correction
    never goes public unreviewed, and a public figure never changes under its readers unannounced."""
    current = figure.status if figure is not None else None
    wanted = attrs.get("status", current or DRAFT)
    if publication_refused(publisher=actor.may_publish, status=wanted, current=current):
        raise AccessDenied(PUBLISH_ONLY)
    changed = figure is None or any(name in attrs and getattr(figure, name) != attrs[name] for name in CONTENT)
    if wanted != DRAFT and (wanted != current or changed):
        verifier = actor.user if actor.authenticated else None
        return {"status": wanted, "verified_by": verifier, "verified_at": timezone.now()}
    return {}


def check_may_delete_figures(actor: Actor, figures: QuerySet) -> None:
    """Deleting is writing (scope) and, for a verified or published figure, publishing."""
    outside = None if actor.scope.national else figures.exclude(actor.scope.q()).values_list("region__code").first()
    if outside is not None:
        raise _outside(actor, outside[0])
    if not actor.may_publish and figures.exclude(status=DRAFT).exists():
        raise AccessDenied(_("Only clients allowed to publish may delete a verified or published figure."))


# --- reference data -----------------------------------------------------------------------------------------------


def check_may_change_reference(actor: Actor) -> None:
    """Regions, indicators, national targets, partnerships, and sources that public figures cite."""
    if not actor.scope.national:
        raise OutOfScope(
            _("Reference data (regions, indicators, targets, public sources) is changed by national editors only.")
        )
    if not actor.may_publish:
        raise AccessDenied(
            _("Reference data (regions, indicators, targets, public sources) is changed by clients allowed to publish.")
        )


def check_may_change_source(actor: Actor, source: Source) -> None:
    """A source cited by anything public is reference data; one cited only by drafts may be changed by a writer whose
    scope holds all of them."""
    if source_is_public(source):
        check_may_change_reference(actor)
        return
    outside = Measurement.objects.filter(source=source).exclude(actor.scope.q())
    code = outside.values_list("region__code", flat=True).first() if not actor.scope.national else None
    if code is not None:
        raise OutOfScope(
            _("Source %(id)s is cited by a figure of %(code)s, outside the regions you may write.")
            % {"id": source.pk, "code": code}
        )


def source_is_public(source: Source) -> bool:
    return (
        Measurement.objects.filter(source=source).exclude(status=DRAFT).exists()
        or source.targets.exists()
        or source.partnerships.exists()
    )


def allowed(check, *args, **kwargs) -> bool:
    """Whether one of the check_* rules above lets the call through: for doors that ask rather than refuse (the admin
    decides which buttons to show)."""
    try:
        check(*args, **kwargs)
    except AccessDenied:
        return False
    return True
