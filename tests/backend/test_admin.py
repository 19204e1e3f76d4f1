"""The admin: its login takes the token endpoints' attempt bound, and its path is a setting."""

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import clear_url_caches

import backend.urls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "admin-passphrase-for-the-tests"


@pytest.fixture
def staff() -> Any:
    user = UserFactory(username="operator", is_staff=True, is_superuser=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client: Client, password: str, path: str = "/admin/login/") -> Any:
    return client.post(path, {"username": "operator", "password": password, "next": "/admin/"})


def test_a_right_password_logs_in(staff):
    client = Client()

    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_past_the_attempt_bound_even_the_right_password_is_refused(staff, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 3
    client = Client()

    wrong = [log_in(client, "wrong-guess").status_code for _ in range(3)]
    refused = log_in(client, PASSWORD)

    assert wrong == [200, 200, 200]  # the form again, with its error
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"] == f"Too many attempts; retry in {refused['Retry-After']} s."
    assert "_auth_user_id" not in client.session


def test_the_admin_and_token_endpoints_share_one_bound(staff, settings, api_client):
    settings.AUTH_THROTTLE_PER_MINUTE = 2
    credentials = {"username": "operator", "password": "wrong-guess"}
    api_client.post("/token/", credentials, format="json")
    api_client.post("/token/", credentials, format="json")

    response = log_in(Client(), PASSWORD)

    assert response.status_code == 429


def test_showing_the_login_form_is_not_an_attempt(staff, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 1
    client = Client()
    forms = [client.get("/admin/login/").status_code for _ in range(3)]

    response = log_in(client, PASSWORD)

    assert forms == [200, 200, 200]
    assert response.status_code == 302


@pytest.fixture
def admin_url(settings: Any) -> Iterator[None]:
    """The admin at `ops/console/`: the URLconf is built again from the setting, and again after the test."""
    previous = settings.ADMIN_URL
    settings.ADMIN_URL = "ops/console/"
    importlib.reload(backend.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = previous
    importlib.reload(backend.urls)
    clear_url_caches()


@pytest.mark.usefixtures("admin_url")
def test_the_admin_path_is_the_admin_url_setting(staff):
    client = Client()

    old = client.get("/admin/login/")
    response = log_in(client, PASSWORD, path="/ops/console/login/")

    assert old.status_code == 404
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/ops/console/").status_code == 200
