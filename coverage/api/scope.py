"""Which provinces' figures an answer reads, told from its request alone (path and query string), before anything is
computed: the response cache keys an anonymous answer by the versions of those provinces and of reference data
(coverage.models.versions), so that a question about one province keeps its cached answer while others change.

The rule errs one way only: a request it cannot place (any other path, a code it does not read as Kemendagri's,
BPS codes, lineage=true, which also reads the codes a recode replaced, a province's summary, which ranks it among
all provinces) reads the whole country. tests/middleware/test_never_stale.py holds it to that against the answers
computed with the cache off.
"""

import functools
import re

from django.core.exceptions import SuspiciousOperation
from django.http import QueryDict

from ..models.base import REGION_CODE_RE, province_of
from ..regions.crosswalk import KEMENDAGRI
from .filterfields import CommaSeparatedWidget, takes_region_codes
from .filtersets import AttainmentFilterSet, AvailabilityFilterSet, MeasurementFilterSet, RankingFilterSet

NATIONAL = None  # every province
REFERENCE_ONLY = frozenset()  # no figure: regions, indicators, sources, targets, partnerships

_CODE = re.compile(REGION_CODE_RE)


def _region_parameters(filterset) -> tuple[str, ...]:
    """The parameters of a FilterSet that name regions (all of them, so a new one is never missed)."""
    return tuple(name for name, filter_ in filterset.base_filters.items() if takes_region_codes(filter_))


# Answers that read figures, and the parameters naming the regions they read (none given: all regions).
_FIGURES = (
    (re.compile(r"^/api/v1/measurements/$"), _region_parameters(MeasurementFilterSet)),
    (re.compile(r"^/api/v1/availability/$"), _region_parameters(AvailabilityFilterSet)),
    (re.compile(r"^/api/v1/indicators/[^/]+/ranking/$"), _region_parameters(RankingFilterSet)),
    (re.compile(r"^/api/v1/indicators/[^/]+/attainment/$"), _region_parameters(AttainmentFilterSet)),
)
# A region's summary: the figures of a kabupaten/kota (or smaller) and its siblings lie in its province.
_SUMMARY = re.compile(r"^/api/v1/regions/(?P<code>[0-9]{2}\.[0-9.]+)/summary/$")
# Reference data, which shows no figure.
_REFERENCE = re.compile(
    r"^/api/v1/(?:regions/(?:[^/]+/(?:lineage/)?)?|indicators/(?:[^/]+/)?|sources/(?:[^/]+/)?"
    r"|targets/(?:[^/]+/)?|partnerships/(?:[^/]+/)?)$"
)
_WIDGET = CommaSeparatedWidget()


def answer_scope(path: str, query_string: str) -> frozenset[str] | None:
    """The two-digit codes of the provinces whose figures the answer to this GET reads; an empty set: none (reference
    data only); None: the whole country."""
    if len(path) + len(query_string) > _REMEMBERED_LENGTH:
        return _scope(path, query_string)
    return _remembered(path, query_string)


_REMEMBERED_LENGTH = 512  # the questions dashboards ask again and again; a longer one is read anew each time


def _scope(path: str, query_string: str) -> frozenset[str] | None:
    if _REFERENCE.match(path) and not _SUMMARY.match(path):
        return REFERENCE_ONLY
    if match := _SUMMARY.match(path):
        return _provinces([match["code"]])
    for route, names in _FIGURES:
        if route.match(path):
            try:
                query = QueryDict(query_string)
            except SuspiciousOperation:  # too many parameters: Django refuses the request itself (400)
                return NATIONAL
            return _named(query, names)
    return NATIONAL


# 0.3 µs instead of 18 for a question asked before; at most 1024 × 512 characters kept.
_remembered = functools.lru_cache(maxsize=1024)(_scope)


def _named(query: QueryDict, names) -> frozenset[str] | None:
    if query.getlist("code_system") not in ([], [KEMENDAGRI]) or query.getlist("lineage") not in ([], ["false"]):
        return NATIONAL
    codes = [code for name in names for code in _WIDGET.value_from_datadict(query, None, name) or []]
    return _provinces(codes) if codes else NATIONAL


def _provinces(codes) -> frozenset[str] | None:
    """Their provinces, if every code is a Kemendagri code (a code the filters refuse gets no answer to keep)."""
    if not all(_CODE.fullmatch(code) for code in codes):
        return NATIONAL
    return frozenset(map(province_of, codes))
