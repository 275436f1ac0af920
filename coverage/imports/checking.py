"""Checking import rows against the rules of a figure, column by column, every lookup done beforehand."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..figures import access
from ..figures.fields import IMPORTED, STAGED
from ..figures.values import INDICATOR_CODE, UNKNOWN_INDICATOR
from ..models import (
    EARLIEST_DATE,
    MAX_COUNT,
    PERCENT_MAX,
    Indicator,
    Measurement,
    Region,
    Source,
    percentage,
)
from ..regions import crosswalk, lineage
from ..regions.codes import KEMENDAGRI_CODE, UNKNOWN_REGION, check_region_code
from .files import Table
from .report import RowError


class RowChecker:
    """Validates the rows against the rules of Measurement, column by column, with every lookup done beforehand.

    Each distinct text of a column is checked once (a file of 100,000 figures holds a few hundred region codes,
    dates and sources, some thousand values), and every row with a bad cell is named, with its line and column.
    """

    def __init__(self, lines, columns, *, default_source, actor, code_system=crosswalk.KEMENDAGRI):
        self.errors: list[RowError] = []
        self.lines, self.columns = lines, columns
        self.actor = actor  # rows outside its regions are refused (coverage.figures.access)
        self.default_source = default_source
        self.today = timezone.localdate()
        # Only well-formed codes reach the database (a NUL byte would be a database error, not a bad row).
        codes = {code.strip() for code in set(columns["region"])}
        self.bps = code_system == crosswalk.BPS
        if self.bps:  # the file's BPS codes, each to the Kemendagri codes it stands for (coverage.regions.crosswalk)
            self.bps_regions = crosswalk.regions_of(codes)
            codes = {region for regions in self.bps_regions.values() if len(regions) == 1 for region in regions}
        codes = {code for code in codes if KEMENDAGRI_CODE.fullmatch(code)}
        self.regions = dict(Region.objects.filter(code__any_of=codes).values_list("code", "id"))
        names = {name.strip() for name in set(columns["indicator"])}
        names = {name for name in names if INDICATOR_CODE.fullmatch(name)}
        self.indicators = dict(Indicator.objects.filter(code__any_of=names).values_list("code", "id"))
        self.sources = set(Source.objects.values_list("id", flat=True))
        self.bad: set[int] = set()  # indexes of the rows refused so far

    def fail(self, line, column, code, message):
        self.errors.append(RowError(line, column, code, str(message)))

    def check(self) -> "CheckedFigures":
        """The figures of the rows without a bad cell, in file order; the others are named in ``errors``."""
        numerators = self._column("numerator", lambda text: self._count(0, "numerator", text, minimum=0))
        denominators = self._column("denominator", lambda text: self._count(0, "denominator", text, minimum=1))
        counted = []
        if numerators.count(None) < len(numerators):  # some counts given
            counted = [i for i, (n, d) in enumerate(zip(numerators, denominators, strict=True)) if n is not None and d]
        values = self._column("value", lambda text: self._value(0, text, None, None), skip=set(counted))
        for index in counted:  # the value must match the counts (or is derived from them): row by row
            before = len(self.errors)
            text = self.columns["value"][index].strip()
            values[index] = self._value(self.lines[index], text, numerators[index], denominators[index])
            if len(self.errors) > before:
                self.bad.add(index)
        figures = CheckedFigures(
            lines=self.lines,
            region_id=self._column("region", lambda text: self._region(0, text)),
            indicator_id=self._column("indicator", lambda text: self._indicator(0, text)),
            as_of=self._column("as_of", lambda text: self._date(0, text)),
            value=values,
            numerator=numerators,
            denominator=denominators,
            source_id=self._column("source", lambda text: self._source(0, text)),
            status=self._column("status", lambda text: self._status(0, text)),
        )
        if self.bad:
            figures = figures.only([i for i in range(len(self.lines)) if i not in self.bad])
        figures = self._check_validity(figures)
        keys = list(zip(figures.region_id, figures.indicator_id, figures.as_of, strict=True))
        if len(set(keys)) < len(keys):
            seen, twice = {}, set()
            for index, (line, key) in enumerate(zip(figures.lines, keys, strict=True)):
                if key in seen:
                    self.fail(
                        line,
                        None,
                        "duplicate",
                        _("Same region, indicator and as_of as line %(line)s.") % {"line": seen[key]},
                    )
                    twice.add(index)
                else:
                    seen[key] = line
            figures = figures.only([i for i in range(len(figures)) if i not in twice])
        return figures

    def _check_validity(self, figures: "CheckedFigures") -> "CheckedFigures":
        """Each figure dated while its region's code named it (coverage.regions.lineage, the rule of every door)."""
        bounded = {
            region.pk: region
            for region in Region.objects.filter(pk__any_of=set(figures.region_id)).exclude(
                valid_from__isnull=True, valid_until__isnull=True
            )
        }
        if not bounded:
            return figures
        known, refused = lineage.changes(), set()
        for index, (line, region_id, as_of) in enumerate(
            zip(figures.lines, figures.region_id, figures.as_of, strict=True)
        ):
            if region_id in bounded:
                try:
                    lineage.check_valid_on(bounded[region_id], as_of, known)
                except ValidationError as exc:
                    self.fail(line, "as_of", exc.code, exc.messages[0])
                    refused.add(index)
        return figures.only([i for i in range(len(figures)) if i not in refused]) if refused else figures

    def _column(self, name, check, *, skip=frozenset()):
        """check(text) of each row's cell in column ``name``; a failed check names every row with that text."""
        texts = self.columns[name]
        results, refused = {}, {}
        for text in set(texts) if not skip else {t for i, t in enumerate(texts) if i not in skip}:
            before = len(self.errors)
            results[text] = check(text.strip())
            if len(self.errors) > before:
                refused[text] = self.errors[before:]
                del self.errors[before:]
        if refused:
            for index, text in enumerate(texts):
                if text in refused and index not in skip:
                    self.bad.add(index)
                    line = self.lines[index]
                    self.errors += [RowError(line, e.column, e.code, e.message) for e in refused[text]]
        if skip:
            return [None if i in skip else results[text] for i, text in enumerate(texts)]
        return list(map(results.__getitem__, texts))

    def _region(self, line, code):
        if not code:
            return self.fail(line, "region", "required", _("A region code is required."))
        if self.bps:
            try:
                [code] = crosswalk.from_bps(
                    [code], found=self.bps_regions
                )  # the filters' rule: unknown, ambiguous refused
            except ValidationError as exc:
                return self.fail(line, "region", exc.code, exc.messages[0])
        if code in self.regions:
            try:
                access.check_may_write_figure(self.actor, region=code)
            except access.AccessDenied as exc:
                return self.fail(line, "region", exc.code, str(exc))
            return self.regions[code]
        try:
            check_region_code(code)
        except ValidationError as exc:
            if exc.code == "bps_code":
                return self.fail(line, "region", "bps_code", exc.messages[0])
        return self.fail(line, "region", "unknown_region", UNKNOWN_REGION % {"value": code[:50]})

    def _indicator(self, line, code):
        if not code:
            return self.fail(line, "indicator", "required", _("An indicator code is required."))
        if code not in self.indicators:
            return self.fail(line, "indicator", "unknown_indicator", UNKNOWN_INDICATOR % {"value": code[:50]})
        return self.indicators[code]

    def _date(self, line, text):
        if not text:
            return self.fail(line, "as_of", "required", _("The date (as_of) is required."))
        try:
            as_of = datetime.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            return self.fail(
                line, "as_of", "invalid", _("%(text)s is not a real date as YYYY-MM-DD.") % {"text": text[:50]}
            )
        if as_of > self.today + datetime.timedelta(days=1):
            return self.fail(line, "as_of", "future_date", _("%(date)s is in the future.") % {"date": text})
        if as_of < EARLIEST_DATE:
            return self.fail(line, "as_of", "date_too_early", _("A figure cannot describe a date before 1900."))
        return as_of

    def _count(self, line, column, text, *, minimum):
        if not text:
            return None
        if not re.fullmatch(r"[0-9]{1,19}", text):
            if re.fullmatch(r"[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*", text):
                return self.fail(
                    line,
                    column,
                    "invalid",
                    _("%(text)s is not a whole number of people: write it without thousands separators (%(plain)s).")
                    % {"text": text, "plain": re.sub(r"[.,]", "", text)},
                )
            return self.fail(
                line, column, "invalid", _("%(text)s is not a whole number of people.") % {"text": text[:50]}
            )
        count = int(text)
        if count < minimum:
            return self.fail(line, column, "min_value", _("The denominator must be greater than 0."))
        if count > MAX_COUNT:
            return self.fail(
                line,
                column,
                "max_value",
                _("%(count)s is more than 1,000,000,000 (10^9), the largest count of people a figure may give.")
                % {"count": text},
            )
        return count

    def _value(self, line, text, numerator, denominator):
        value = None
        if text:
            if re.fullmatch(r"[0-9]+,[0-9]+", text):
                return self.fail(
                    line,
                    "value",
                    "decimal_comma",
                    _(
                        "%(text)s has a decimal comma: write %(point)s, with a point. Excel writes a comma where "
                        "Windows' decimal symbol is one (Indonesian settings): upload the workbook itself (.xlsx), or "
                        'set the decimal symbol to "." before saving as CSV.'
                    )
                    % {"text": text, "point": text.replace(",", ".")},
                )
            try:
                value = Decimal(text)
            except InvalidOperation:
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if not value.is_finite():
                return self.fail(line, "value", "invalid", _("%(text)s is not a number.") % {"text": text[:50]})
            if value.as_tuple().exponent < -2:
                return self.fail(
                    line, "value", "max_decimal_places", _("At most 2 decimal places (%(text)s).") % {"text": text}
                )
            if value < 0:
                return self.fail(line, "value", "min_value", _("A percentage cannot be negative."))
            if value > PERCENT_MAX:
                return self.fail(line, "value", "max_value", _("A percentage must be below 1000."))
        if numerator is not None and denominator:
            expected = percentage(numerator, denominator)
            if expected > PERCENT_MAX:
                return self.fail(
                    line,
                    "value",
                    "counts_out_of_range",
                    _("The counts give %(expected)s, not a possible percentage.") % {"expected": expected},
                )
            if value is None:
                return expected
            if value != expected:
                return self.fail(
                    line,
                    "value",
                    "value_counts_mismatch",
                    _("%(value)s does not match the counts: 100 × %(numerator)s / %(denominator)s = %(expected)s.")
                    % {"value": text, "numerator": numerator, "denominator": denominator, "expected": expected},
                )
        if value is None:
            return self.fail(line, "value", "required", _("Give the value, or both numerator and denominator."))
        return value.quantize(Decimal("0.01"))

    def _source(self, line, text):
        if not text:
            if self.default_source is None:
                return self.fail(
                    line, "source", "required", _("Give the source (its id) in the file or for the whole import.")
                )
            return self.default_source
        if not re.fullmatch(r"[0-9]{1,18}", text) or int(text) not in self.sources:
            return self.fail(line, "source", "unknown_source", _("Unknown source id: %(text)s.") % {"text": text[:50]})
        return int(text)

    def _status(self, line, text):
        if not text:
            return None  # an existing figure keeps its status; a new one gets the importer's default
        if text not in Measurement.Status.values:
            return self.fail(
                line,
                "status",
                "invalid_choice",
                _("Status is draft, verified or published, not %(text)s.") % {"text": text[:30]},
            )
        return text


@dataclass
class CheckedFigures:
    """The rows that passed every check, in file order, column by column (the model's field names)."""

    lines: list[int]
    region_id: list[int]
    indicator_id: list[int]
    as_of: list[datetime.date]
    value: list[Decimal]
    numerator: list[int | None]
    denominator: list[int | None]
    source_id: list[int]
    status: list[str | None]  # None: an existing figure keeps its status, a new one gets the importer's default

    FIELDS = STAGED

    def __len__(self):
        return len(self.lines)

    def only(self, indexes) -> "CheckedFigures":
        return CheckedFigures(**{name: [getattr(self, name)[i] for i in indexes] for name in ("lines", *self.FIELDS)})

    def rows(self):
        """(line, {field: value}) per figure."""
        for line, *values in zip(self.lines, *(getattr(self, name) for name in self.FIELDS), strict=True):
            yield line, dict(zip(self.FIELDS, values, strict=True))


def columns_of(rows) -> tuple[list[int], dict[str, list[str]]]:
    """Line numbers, and every import column's cells as text ("" where a row has none)."""
    if isinstance(rows, Table):
        return rows.lines, {name: rows.column(name) or [""] * len(rows) for name in IMPORTED}
    return [line for line, _row in rows], {
        name: [
            cell if isinstance(cell, str) else "" if cell is None else str(cell)
            for cell in (row.get(name) for _line, row in rows)
        ]
        for name in IMPORTED
    }
