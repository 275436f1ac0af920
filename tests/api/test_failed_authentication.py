"""Guessing is slowed down: failed authentications on the API are counted per client address and answered 429
past THROTTLE_FAILED_AUTH_RATE, the client's address being the one TRUSTED_PROXIES gives; an Authorization header
that does not authenticate is a 401 that says why. tests/admin/test_login_lockout.py: the admin login's lockout."""

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from ..helpers import client_with_key, error_codes, make_key, throttle_rates
from ..live import manage_fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

URL = "/api/v1/measurements/"
GUESSER = "203.0.113.7"
NEIGHBOUR = "198.51.100.9"


def guess(address=GUESSER, header="Api-Key aaaaaaaa.wrongsecretwrongsecretwrongsecr", **extra):
    return APIClient().get(URL, HTTP_AUTHORIZATION=header, REMOTE_ADDR=address, **extra)


# --- failed authentications on the API ----------------------------------------------------------------------


def test_wrong_keys_past_the_failed_auth_rate_get_a_json_429_with_retry_after():
    with throttle_rates(failed_auth="3/min"):
        answers = [guess() for _ in range(5)]

    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    assert answers[3].json()["type"] == "client_error"
    assert error_codes(answers[3], 429) == ["throttled"]
    assert 1 <= int(answers[3]["Retry-After"]) <= 60


def test_past_the_rate_a_right_key_from_the_same_address_gets_429_too():
    key = make_key()
    with throttle_rates(failed_auth="2/min"):
        before = client_with_key(key).get(URL, REMOTE_ADDR=GUESSER)
        [guess() for _ in range(2)]
        after = client_with_key(key).get(URL, REMOTE_ADDR=GUESSER)

    assert before.status_code == 200
    assert after.status_code == 429
    assert error_codes(after, 429) == ["throttled"]


def test_past_the_rate_another_address_still_authenticates():
    key = make_key()
    with throttle_rates(failed_auth="2/min"):
        guesser = [guess().status_code for _ in range(3)]
        neighbour = client_with_key(key).get(URL, REMOTE_ADDR=NEIGHBOUR)
        neighbours_wrong_key = guess(address=NEIGHBOUR)

    assert guesser == [401, 401, 429]
    assert neighbour.status_code == 200
    assert neighbours_wrong_key.status_code == 401


def test_past_the_rate_anonymous_reads_from_the_address_are_served():
    with throttle_rates(failed_auth="2/min"):
        guesser = [guess().status_code for _ in range(3)]
        anonymous = APIClient().get(URL, REMOTE_ADDR=GUESSER)

    assert guesser == [401, 401, 429]
    assert anonymous.status_code == 200


def test_right_credentials_are_not_counted_as_failures():
    key = make_key()
    with throttle_rates(failed_auth="2/min"):
        right = [client_with_key(key).get(URL, REMOTE_ADDR=GUESSER).status_code for _ in range(4)]
        wrong = [guess().status_code for _ in range(3)]

    assert right == [200, 200, 200, 200]
    assert wrong == [401, 401, 429]


@pytest.mark.parametrize(
    "header",
    ["Token 0123456789abcdef0123456789abcdef01234567", "Bearer x", "Api-Key", "Api-Key a b", "Basic dTpw", ""],
)
def test_wrong_tokens_unknown_schemes_and_malformed_headers_all_count(header):
    with throttle_rates(failed_auth="1/min"):
        first = guess(header=header)
        second = guess(header=header)

    assert first.status_code == 401
    assert second.status_code == 429


def test_with_the_counter_store_down_credentials_are_still_checked():
    from django.conf import settings

    key = make_key()
    dead = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={**settings.CACHES, "throttle": dead}), throttle_rates(failed_auth="1/min"):
        right = client_with_key(key).get(URL, REMOTE_ADDR=GUESSER)
        wrong = [guess().status_code for _ in range(3)]

    assert right.status_code == 200
    assert wrong == [401, 401, 401]


def test_behind_one_trusted_proxy_each_client_has_its_own_count_of_failures():
    with throttle_rates(failed_auth="1/min", proxies=1):
        # Every request comes from the proxy; it appended the client's address last, after what the client wrote.
        first = [guess(address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, {GUESSER}") for n in range(2)]
        other = guess(address="10.0.0.1", HTTP_X_FORWARDED_FOR=NEIGHBOUR)

    assert [a.status_code for a in first] == [401, 429]
    assert other.status_code == 401


def test_without_a_trusted_proxy_a_client_written_x_forwarded_for_opens_no_new_count():
    with throttle_rates(failed_auth="1/min", proxies=0):
        answers = [guess(HTTP_X_FORWARDED_FOR=f"1.1.1.{n}").status_code for n in range(3)]

    assert answers == [401, 429, 429]


def test_behind_a_trusted_proxy_a_forwarded_value_that_is_no_address_counts_as_the_connecting_address():
    with throttle_rates(failed_auth="1/min", proxies=1):
        answers = [guess(HTTP_X_FORWARDED_FOR=f"not-an-address-{n}").status_code for n in range(2)]

    assert answers == [401, 429]


def test_the_failed_auth_rate_is_30_a_minute_by_default_and_an_empty_variable_switches_it_off():
    script = "from rest_framework.settings import api_settings as a; print(a.DEFAULT_THROTTLE_RATES['failed_auth'])"

    default = manage_fresh("shell", "--no-imports", "-c", script, DEBUG="true")
    off = manage_fresh("shell", "--no-imports", "-c", script, DEBUG="true", THROTTLE_FAILED_AUTH_RATE="")

    assert default.stdout.strip() == "30/min", default.stderr
    assert off.stdout.strip() == "None", off.stderr


# --- an Authorization header that does not authenticate says why ------------------------------------------


def test_a_bearer_header_on_a_public_list_is_a_401_naming_the_accepted_schemes():
    response = APIClient().get(URL, HTTP_AUTHORIZATION="Bearer 0123456789", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert error_codes(response, 401) == ["unsupported_scheme"]
    detail = response.json()["errors"][0]["detail"]
    assert "Api-Key <key>" in detail and "Token <token>" in detail
    assert response.has_header("WWW-Authenticate")


def test_a_bearer_write_is_a_401_not_a_403_credentials_not_provided(article):
    response = APIClient().post(URL, {}, format="json", HTTP_AUTHORIZATION="Bearer 0123456789")

    assert response.status_code == 401
    assert error_codes(response, 401) == ["unsupported_scheme"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "0123456789abcdef", "", "   "])
def test_other_schemes_a_bare_value_and_an_empty_header_are_401_unsupported_scheme(header):
    response = APIClient().get(URL, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert error_codes(response, 401) == ["unsupported_scheme"]


def test_the_schemes_keywords_are_accepted_in_any_case():
    key = make_key()

    assert APIClient().get(URL, HTTP_AUTHORIZATION=f"API-KEY {key}").status_code == 200


def test_the_request_log_names_the_client_behind_the_trusted_proxy(caplog):
    with throttle_rates(proxies=1), caplog.at_level(logging.INFO, logger="adminduk.request"):
        guess(address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {GUESSER}")

    (record,) = [r for r in caplog.records if r.name == "adminduk.request"]
    assert record.status == 401
    assert record.client_ip == GUESSER
