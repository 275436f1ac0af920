"""The admin login locks an account, and an address, after repeated wrong passwords (django-axes), the client's
address being the one TRUSTED_PROXIES gives; the limits come from the environment."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from ..helpers import throttle_rates
from ..live import manage_fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

LOGIN = "/admin/login/"
PASSWORD = "right-horse-battery-staple"
GUESSER = "203.0.113.7"
NEIGHBOUR = "198.51.100.9"


@pytest.fixture
def staff(django_user_model):
    """make(username) makes a staff account whose password is PASSWORD."""

    def make(username):
        return django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)

    return make


def log_in(username, password, address=GUESSER, **extra):
    """A browser's login on the admin's own page; the browser (its session) is returned with the answer."""
    browser = Client()
    response = browser.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **extra
    )
    return browser, response


def logged_in(browser) -> bool:
    return browser.get("/admin/").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_below_the_limit_the_right_password_logs_in(staff):
    staff("operator")
    for _ in range(2):
        log_in("operator", "wrong")

    browser, response = log_in("operator", PASSWORD)

    assert response.status_code == 302
    assert logged_in(browser)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_of_wrong_passwords_locks_the_account_even_from_other_addresses(staff):
    staff("operator")
    for n in range(3):
        log_in("operator", "wrong", address=f"192.0.2.{n + 1}")

    browser, response = log_in("operator", PASSWORD, address=NEIGHBOUR)

    assert response.status_code == 429
    assert not logged_in(browser)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_of_wrong_passwords_from_an_address_locks_it_for_every_account(staff):
    staff("operator")
    for name in ("admin", "root", "kepala"):
        log_in(name, "wrong")

    locked_browser, locked = log_in("operator", PASSWORD)
    browser, elsewhere = log_in("operator", PASSWORD, address=NEIGHBOUR)

    assert locked.status_code == 429
    assert not logged_in(locked_browser)
    assert elsewhere.status_code == 302
    assert logged_in(browser)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_logging_in_to_ones_own_account_does_not_wipe_the_addresss_failures(staff):
    staff("operator")
    staff("insider")
    log_in("operator", "wrong")
    log_in("operator", "wrong")
    log_in("insider", PASSWORD)
    log_in("operator", "wrong")

    browser, response = log_in("operator", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(browser)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_behind_one_trusted_proxy_two_clients_are_locked_out_apart(staff):
    staff("operator")
    with throttle_rates(proxies=1):
        for name in ("admin", "root", "kepala"):
            log_in(name, "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.1, {GUESSER}")
        guessers_browser, guesser = log_in("operator", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER)
        browser, neighbour = log_in("operator", PASSWORD, address="10.0.0.1", HTTP_X_FORWARDED_FOR=NEIGHBOUR)

    assert guesser.status_code == 429
    assert not logged_in(guessers_browser)
    assert neighbour.status_code == 302
    assert logged_in(browser)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_without_a_trusted_proxy_a_client_written_x_forwarded_for_opens_no_new_lockout_bucket(staff):
    staff("operator")
    with throttle_rates(proxies=0):
        for n, name in enumerate(("admin", "root", "kepala")):
            log_in(name, "wrong", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
        browser, response = log_in("operator", PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.9")

    assert response.status_code == 429
    assert not logged_in(browser)


def test_a_login_whose_forwarded_value_is_no_address_is_answered_and_counted(staff):
    staff("operator")
    with throttle_rates(proxies=1):
        _, response = log_in("operator", "wrong", HTTP_X_FORWARDED_FOR="not-an-address")

    assert response.status_code == 200  # the login page again, with its error
    assert AccessAttempt.objects.get().ip_address == GUESSER


def test_the_admin_login_limits_come_from_the_environment():
    script = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"

    default = manage_fresh("shell", "--no-imports", "-c", script, DEBUG="true")
    configured = manage_fresh(
        "shell",
        "--no-imports",
        "-c",
        script,
        DEBUG="true",
        ADMIN_LOGIN_FAILURE_LIMIT="4",
        ADMIN_LOGIN_COOLOFF_MINUTES="60",
    )

    assert default.stdout.strip() == "10 900.0", default.stderr
    assert configured.stdout.strip() == "4 3600.0", configured.stderr
