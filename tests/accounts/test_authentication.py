"""Bearer tokens: the user of a token is kept a few seconds per process, never longer."""

import pytest
from django.contrib.auth import get_user_model

from accounts import authentication
from accounts.authentication import UserCache
from tests.clock import ManualClock
from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(settings, monkeypatch) -> ManualClock:
    settings.AUTH_USER_CACHE_SECONDS = 5
    clock = ManualClock()
    monkeypatch.setattr(authentication, "users", UserCache(clock))
    return clock


def test_a_kept_user_costs_no_query(user, clock, django_assert_num_queries):
    client = bearer_client(user)
    client.get("/request-count/")

    with django_assert_num_queries(0):
        client.post("/graphql/", {"query": "{ me { username } }"}, format="json")


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_a_user_gone_is_refused_once_the_process_lets_it_go(user, clock, change):
    client = bearer_client(user)
    before = client.get("/collections/").status_code
    users = get_user_model().objects.filter(pk=user.pk)
    if change == "delete":
        users.delete()
    else:
        users.update(is_active=False)

    kept = client.get("/collections/").status_code  # this process still keeps it
    clock.now += 5.01
    refused = client.get("/collections/")

    assert (before, kept, refused.status_code) == (200, 200, 401)
    assert refused.json()["detail"] == "The access token is invalid or expired."


def test_a_cache_of_zero_seconds_reads_the_user_every_time(user, settings, django_assert_num_queries):
    settings.AUTH_USER_CACHE_SECONDS = 0
    client = bearer_client(user)
    client.get("/request-count/")
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    with django_assert_num_queries(1):
        response = client.post("/graphql/", {"query": "{ me { username } }"}, format="json")

    assert response.status_code == 401
