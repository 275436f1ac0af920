"""Which regions a user or an API key may write figures for.

A grant of a region covers the region and everything below it: 64 is all of Kalimantan Timur, 64.01
Kabupaten Paser with its kecamatan and desa. A user with grants acts within them; without grants, a
superuser or a user with the permission coverage.edit_all_regions is national, and anyone else acts
nowhere (an operator whose grant was forgotten can neither write nor see the whole country's drafts). An API
key acts for its account and may be narrowed further to regions of its own: it can never reach beyond the
account's scope. What a scope allows is decided in coverage.figures.access.
"""

from dataclasses import dataclass

from django.db.models import Q


def within(code: str, grant: str) -> bool:
    return code == grant or code.startswith(grant + ".")


@dataclass(frozen=True)
class RegionScope:
    codes: frozenset[str] | None  # None: every region

    @property
    def national(self) -> bool:
        return self.codes is None

    @property
    def empty(self) -> bool:
        return self.codes is not None and not self.codes

    def allows(self, code: str) -> bool:
        return self.codes is None or any(within(code, grant) for grant in self.codes)

    def q(self, field: str = "region__code") -> Q:
        """Rows whose region code (``field``) lies in the scope."""
        if self.codes is None:
            return Q()
        condition = Q(pk__in=[])
        for grant in sorted(self.codes):
            condition |= Q(**{field: grant}) | Q(**{f"{field}__startswith": grant + "."})
        return condition

    def narrowed_to(self, codes) -> "RegionScope":
        """The part of this scope that also lies within ``codes`` (an empty ``codes`` narrows nothing)."""
        codes = set(codes)
        if not codes:
            return self
        if self.codes is None:
            return RegionScope(frozenset(codes))
        kept = {code for code in codes if self.allows(code)}
        kept |= {grant for grant in self.codes if any(within(grant, code) for code in codes)}
        return RegionScope(frozenset(kept))

    def __str__(self):
        return "national" if self.codes is None else ", ".join(sorted(self.codes)) or "none"


NATIONAL = RegionScope(None)


def scope_of(user, key=None) -> RegionScope:
    """The regions ``user`` (acting through ``key``, if given) may write figures for and see the unpublished figures
    of (given the permissions to do so at all)."""
    if user is None or not user.is_authenticated:
        return RegionScope(frozenset())
    if not hasattr(user, "_region_grants"):
        user._region_grants = frozenset(user.region_grants.values_list("region__code", flat=True))
    if user._region_grants:
        cached = RegionScope(user._region_grants)
    elif user.is_superuser or user.has_perm("coverage.edit_all_regions"):
        cached = NATIONAL
    else:
        cached = RegionScope(frozenset())
    if key is not None:
        if not hasattr(key, "_region_codes"):
            key._region_codes = list(key.regions.values_list("code", flat=True))
        return cached.narrowed_to(key._region_codes)
    return cached
