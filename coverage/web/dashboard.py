"""The public dashboard at ``/``: one server-rendered SVG bar chart per indicator, no JavaScript, nothing
from another host. The figures come from coverage.answers.dashboard, like the API's answers."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..answers.dashboard import Chart, default_dashboard_region
from ..answers.dashboard import dashboard as dashboard_charts
from ..models import Region
from ..regions.codes import check_region_code

LABEL_WIDTH = 250
BAR_AREA = 420
ROW_HEIGHT = 22
TOP = 28
BOTTOM = 34


@dataclass
class Bar:
    y: int
    width: float
    label: str
    code: str
    value: Decimal
    as_of: object
    mark: str  # "highest", "lowest" or ""


@dataclass
class Line:
    x: float
    label: str


class DashboardForm(forms.Form):
    region = forms.CharField(required=False, validators=[check_region_code])


def chart_geometry(chart: Chart) -> dict:
    values = [f.value for f in chart.figures]
    if chart.target:
        values.append(chart.target.value)
    if chart.own:
        values.append(chart.own.value)
    scale_max = max([Decimal(100), *values])

    def x(value):
        return round(LABEL_WIDTH + float(value / scale_max) * BAR_AREA, 1)

    bars = [
        Bar(
            y=TOP + index * ROW_HEIGHT,
            width=round(float(f.value / scale_max) * BAR_AREA, 1),
            label=f.region.name,
            code=f.region.code,
            value=f.value,
            as_of=f.as_of,
            mark="highest" if f is chart.highest else "lowest" if f is chart.lowest else "",
        )
        for index, f in enumerate(chart.figures)
    ]
    height = TOP + max(len(bars), 1) * ROW_HEIGHT + BOTTOM
    target = Line(x(chart.target.value), chart.target.value) if chart.target else None
    own = Line(x(chart.own.value), chart.own.value) if chart.own else None
    dates = sorted({f.as_of for f in chart.figures} | ({chart.own.as_of} if chart.own else set()))
    return {
        "chart": chart,
        "bars": bars,
        "height": height,
        "width": LABEL_WIDTH + BAR_AREA + 90,
        "axis_y": height - BOTTOM + 4,
        "scale_max": scale_max,
        "x_100": x(100),
        "x_0": LABEL_WIDTH,
        "target": target,
        "own": own,
        "dates": dates,
        "line_bottom": height - BOTTOM,
    }


def dashboard(request):
    form = DashboardForm(request.GET)
    if not form.is_valid():
        raise Http404(_("Unknown region."))
    code = form.cleaned_data["region"]
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise Http404(_("Unknown region."))
    elif "region" in request.GET:
        region = None  # ?region= : all provinces
    else:
        region = default_dashboard_region()
    as_of = timezone.localdate()
    charts = dashboard_charts(region=region, as_of=as_of)
    provinces = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").values_list("code", "name")
    with translation.override("id"):  # a public page in Bahasa Indonesia: dates and decimal commas too
        return render(
            request,
            "coverage/dashboard.html",
            {
                "region": region,
                "as_of": as_of,
                "charts": [chart_geometry(chart) for chart in charts],
                "provinces": provinces,
                "label_width": LABEL_WIDTH,
            },
        )
