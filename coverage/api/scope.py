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

from django.http import QueryDict

from ..models.base import REGION_CODE_RE
from ..regions.crosswalk import KEMENDAGRI
from .filterfields import CommaSeparatedWidget

NATIONAL = None  # every province
REFERENCE_ONLY = frozenset()  # no figure: regions, indicators, sources, targets, partnerships

_CODE = re.compile(REGION_CODE_RE)
# Answers that read figures, and the parameters naming the regions they read (all of them: none given, all regions).
_FIGURES = (
    (re.compile(r"^/api/v1/(?:measurements|availability)/$"), ("region", "parent", "within")),
    (re.compile(r"^/api/v1/indicators/[^/]+/ranking/$"), ("parent", "within")),
    (re.compile(r"^/api/v1/indicators/[^/]+/attainment/$"), ("region",)),
)
# A region's summary: the figures of a kabupaten/kota (or smaller) and its siblings lie in its province.
_SUMMARY = re.compile(r"^/api/v1/regions/(?P<code>[0-9]{2}\.[0-9.]+)/summary/$")
# Reference data, which shows no figure.
_REFERENCE = re.compile(
    r"^/api/v1/(?:regions/(?:[^/]+/(?:lineage/)?)?|indicators/(?:[^/]+/)?|sources/(?:[^/]+/)?"
    r"|targets/(?:[^/]+/)?|partnerships/(?:[^/]+/)?)$"
)
_WIDGET = CommaSeparatedWidget()


@functools.lru_cache(maxsize=4096)  # dashboards ask the same questions again and again: 0.3 µs instead of 18
def answer_scope(path: str, query_string: str) -> frozenset[str] | None:
    """The two-digit codes of the provinces whose figures the answer to this GET reads; an empty set: none (reference
    data only); None: the whole country."""
    if _REFERENCE.match(path) and not _SUMMARY.match(path):
        return REFERENCE_ONLY
    if match := _SUMMARY.match(path):
        return _provinces([match["code"]])
    for route, names in _FIGURES:
        if route.match(path):
            return _named(QueryDict(query_string), names)
    return NATIONAL


def _named(query: QueryDict, names) -> frozenset[str] | None:
    if query.getlist("code_system") not in ([], [KEMENDAGRI]) or query.getlist("lineage") not in ([], ["false"]):
        return NATIONAL
    codes = [code for name in names for code in _WIDGET.value_from_datadict(query, None, name) or []]
    return _provinces(codes) if codes else NATIONAL


def _provinces(codes) -> frozenset[str] | None:
    """Their provinces, if every code is a Kemendagri code (a code the filters refuse gets no answer to keep)."""
    if not all(_CODE.fullmatch(code) for code in codes):
        return NATIONAL
    return frozenset(code[:2] for code in codes)
