"""OpenAPI examples: the service's own answers on the article's data (fixtures/article.json).

tests/test_docs.py checks that each example equals what the service answers on that data.
"""

from drf_spectacular.utils import OpenApiExample

# The article's highest and lowest KIA figures among Kalimantan Timur's kabupaten/kota, as every answer shows them.
KIA_HIGHEST = {"region": "64.71", "region_name": "Kota Balikpapan", "value": 96.9, "as_of": "2024-06-13", "source": 1}
KIA_LOWEST = {
    "region": "64.07",
    "region_name": "Kabupaten Kutai Barat",
    "value": 54.67,
    "as_of": "2024-06-13",
    "source": 1,
}

RANKING_REQUEST = "/api/v1/indicators/kia-ownership/ranking/?parent=64&as_of=2024-06-30"
RANKING = OpenApiExample(
    "KIA ownership, kabupaten/kota of Kalimantan Timur (the article)",
    value={
        "indicator": "kia-ownership",
        "higher_is_better": True,
        "as_of": "2024-06-30",
        "count": 2,
        "highest": KIA_HIGHEST,
        "lowest": KIA_LOWEST,
        "results": [
            {
                "rank": 1,
                "region": "64.71",
                "region_name": "Kota Balikpapan",
                "value": 96.9,
                "as_of": "2024-06-13",
                "source": 1,
            },
            {
                "rank": 2,
                "region": "64.07",
                "region_name": "Kabupaten Kutai Barat",
                "value": 54.67,
                "as_of": "2024-06-13",
                "source": 1,
            },
        ],
    },
)

ATTAINMENT_REQUEST = "/api/v1/indicators/kia-ownership/attainment/?region=64&year=2024&children=true"
ATTAINMENT = OpenApiExample(
    "KIA ownership, Kalimantan Timur, 2024 (the article)",
    value={
        "indicator": "kia-ownership",
        "year": 2024,
        "target": {"year": 2024, "value": 60.0, "source": 1},
        "region": {
            "region": "64",
            "region_name": "Kalimantan Timur",
            "value": 72.8,
            "as_of": "2024-06-13",
            "source": 1,
            "gap": 12.8,
            "met": True,
        },
        "children": [
            {
                "region": "64.71",
                "region_name": "Kota Balikpapan",
                "value": 96.9,
                "as_of": "2024-06-13",
                "source": 1,
                "gap": 36.9,
                "met": True,
            },
            {
                "region": "64.07",
                "region_name": "Kabupaten Kutai Barat",
                "value": 54.67,
                "as_of": "2024-06-13",
                "source": 1,
                "gap": -5.33,
                "met": False,
            },
        ],
    },
)

SUMMARY_REQUEST = "/api/v1/regions/64/summary/?as_of=2024-06-30"
SUMMARY = OpenApiExample(
    "Kalimantan Timur as of 2024-06-30 (the article; two of the four indicators shown)",
    value={
        "region": {
            "code": "64",
            "name": "Kalimantan Timur",
            "level": 1,
            "kind": "province",
            "parent": None,
            "population": 4123303,
            "population_as_of": "2024-12-31",
            "bps_code": "64",
            "valid_from": None,
            "valid_until": None,
            "version": 2,
        },
        "as_of": "2024-06-30",
        "results": [
            {
                "indicator": "ikd-activation",
                "indicator_name": "Kepemilikan IKD",
                "value": 4.48,
                "as_of": "2024-06-13",
                "source": 1,
                "target": 30.0,
                "target_year": 2024,
                "gap": -25.52,
                "met": False,
                "rank": 1,
                "ranked": 1,
                "children": 2,
                "highest": {
                    "region": "64.09",
                    "region_name": "Kabupaten Penajam Paser Utara",
                    "value": 10.46,
                    "as_of": "2024-06-13",
                    "source": 1,
                },
                "lowest": {
                    "region": "64.03",
                    "region_name": "Kabupaten Berau",
                    "value": 1.74,
                    "as_of": "2024-06-13",
                    "source": 1,
                },
            },
            {
                "indicator": "kia-ownership",
                "indicator_name": "Kepemilikan KIA",
                "value": 72.8,
                "as_of": "2024-06-13",
                "source": 1,
                "target": 60.0,
                "target_year": 2024,
                "gap": 12.8,
                "met": True,
                "rank": 1,
                "ranked": 1,
                "children": 2,
                "highest": KIA_HIGHEST,
                "lowest": KIA_LOWEST,
            },
        ],
    },
)
