"""The public dashboard at /: server-rendered SVG charts, in Bahasa Indonesia, nothing from outside."""

import re

import pytest

from coverage.models import Measurement, Region

from ..browser import CHROMIUM, visit

pytestmark = pytest.mark.django_db

PUBLISHED = Measurement.Status.PUBLISHED


def test_the_dashboard_shows_the_article_per_indicator(article, client):
    page = client.get("/").content.decode()

    assert page.count('<section class="chart"') == 4
    assert page.count('class="bar') == 8
    assert "Tertinggi: <strong>Kota Balikpapan</strong> 96,90%" in page
    assert "Terendah: <strong>Kabupaten Kutai Barat</strong> 54,67%" in page
    assert "Tertinggi: <strong>Kabupaten Penajam Paser Utara</strong> 10,46%" in page
    assert "Terendah: <strong>Kabupaten Berau</strong> 1,74%" in page
    assert "Target nasional 2024: <strong>60,00%</strong>" in page
    assert page.count('class="target"') == 2  # KIA and IKD have a national target
    assert "Per tanggal 13 Juni 2024" in page
    assert "Capaian Perekaman KTP-el Kaltim per 13 Juni Capai 98,75 persen" in page
    assert 'href="/api/docs/"' in page


def test_the_bars_are_ordered_best_first(article, client):
    page = client.get("/").content.decode()
    kia = page[page.index('id="chart-kia-ownership"') :]
    kia = kia[: kia.index("</section>")]

    assert re.findall(r'data-region="([0-9.]+)"', kia) == ["64.71", "64.07"]


def test_a_region_without_figures_says_so_and_an_unknown_one_is_a_404(article, client):
    Region.objects.create(code="65", name="Kalimantan Utara", level=1, kind="province")

    empty = client.get("/", {"region": "65"}).content.decode()

    assert empty.count("Belum ada angka untuk wilayah ini.") == 4
    assert client.get("/", {"region": "99"}).status_code == 404
    assert client.get("/", {"region": "<script>"}).status_code == 404


def test_the_dashboard_works_at_national_scale_with_a_bounded_number_of_queries(
    national_kia, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        provinces = client.get("/", {"region": ""}).content.decode()
    east_java = client.get("/", {"region": "35"}).content.decode()

    assert provinces.count('class="bar') == 38
    assert east_java.count('class="bar') == Region.objects.filter(parent="35").count() == 38


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
def test_the_dashboard_renders_in_a_real_browser_without_errors_or_outside_requests(article, live_server, tmp_path):
    page = visit(live_server.url + "/", workdir=tmp_path)

    assert page.dom.count("<svg") == 4
    assert page.dom.count('class="bar') == 8
    assert page.console == []
    assert page.outside(live_server.url) == set()
