"""The files Excel saves under Indonesian settings (coverage.imports.files): semicolons, tabs, UTF-16 and an old .xls
are refused saying how to export them, and a decimal comma or thousands separators are row errors saying how to
write the number, on every door. Every figure is synthetic."""

import json

import pytest

from ..helpers import csv_bytes
from .doors import ENGLISH, HEADER, URL, admin_refusal, figures, refusal_of, through_admin, through_api, through_command
from .workbooks import sheet_xml, workbook

pytestmark = pytest.mark.django_db


TEXT = "region,indicator,as_of,value,source\n64.72,kia-ownership,2024-06-13,96.90,{source}\n"


@pytest.mark.parametrize(
    ("content", "code", "advice"),
    [
        (lambda s: TEXT.replace(",", ";").format(source=s).encode(), "semicolon_separated", "separated by semicolons"),
        (lambda s: TEXT.replace(",", "\t").format(source=s).encode(), "tab_separated", "separated by tabs"),
        (lambda s: TEXT.format(source=s).encode("utf-16"), "utf16", "UTF-16"),  # with a byte order mark
        (lambda s: TEXT.format(source=s).encode("utf-16-le"), "utf16", "UTF-16"),  # without
        (lambda s: TEXT.format(source=s).encode("utf-16-be"), "utf16", "UTF-16"),
        (lambda s: json.dumps(json.loads('[{"region": "64.72"}]')).encode("utf-16-le"), "utf16", "UTF-16"),
    ],
    ids=["semicolons", "tabs", "utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "utf16-json"],
)
def test_a_file_as_excel_saves_it_under_indonesian_settings_is_refused_saying_how_to_export_it(
    article_all_regions, editor, admin_client, tmp_path, content, code, advice
):
    content = content(article_all_regions.pk)

    status, found, detail = refusal_of(through_api(editor, content))
    from_admin = admin_refusal(through_admin(admin_client, content))
    from_command = through_command(tmp_path, content)

    assert (status, found) == (400, code)
    for said in (detail, from_admin, from_command):
        assert advice in said
        assert '"CSV UTF-8 (Comma delimited) (*.csv)"' in said
        assert "(.xlsx)" in said
    assert f"[{code}]" in from_command


def test_a_decimal_comma_is_a_row_error_on_the_value_saying_how_to_write_it_on_every_door(
    article_all_regions, editor, admin_client, tmp_path
):
    content = (
        b'region,indicator,as_of,value,source\n64.72,kia-ownership,2024-06-13,"96,90",'
        + str(article_all_regions.pk).encode()
    )
    body = [{"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-13", "value": "96,90"}]
    sheet = sheet_xml([HEADER, ["64.72", "kia-ownership", "2024-06-13", "96,90", article_all_regions.pk]])

    responses = [
        through_api(editor, content),
        editor.post(URL + f"?source={article_all_regions.pk}", body, format="json", headers=ENGLISH),
        through_api(editor, workbook(sheet), "comma.xlsx"),
    ]
    admin = through_admin(admin_client, content)
    command = through_command(tmp_path, content)

    for response in responses:
        assert response.status_code == 400
        ((attr, code, detail),) = [(e["attr"], e["code"], e["detail"]) for e in response.json()["errors"]]
        assert (attr, code) == ("value", "decimal_comma")
        assert "96,90 has a decimal comma: write 96.90, with a point" in detail
    assert [(e.column, e.code) for e in admin.context["report"].errors] == [("value", "decimal_comma")]
    assert "value: 96,90 has a decimal comma" in command and "[decimal_comma]" in command


def test_counts_with_thousands_separators_are_refused_saying_how_to_write_them(article_all_regions, editor):
    row = {**figures(article_all_regions.pk, 1)[0], "value": "", "numerator": "1.234", "denominator": "2.000"}

    response = through_api(editor, csv_bytes([row], [*HEADER, "numerator", "denominator"], lineterminator="\n"))

    details = {e["attr"]: e["detail"] for e in response.json()["errors"]}
    assert "write it without thousands separators (1234)" in details["numerator"]
    assert "write it without thousands separators (2000)" in details["denominator"]


def test_an_old_excel_workbook_is_refused_saying_how_to_save_it(article, editor):
    status, code, detail = refusal_of(through_api(editor, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "a.xls"))

    assert (status, code) == (400, "xls")
    assert '"Excel Workbook (*.xlsx)"' in detail
