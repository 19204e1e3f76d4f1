"""The demo upstream: the upstream's wire format, a fixed catalog, Basic auth, fault injection."""

import os
import subprocess
import sys
import uuid

import pytest
import requests
from django.conf import settings
from django.core.management import CommandError, call_command

from movies import demo_catalog
from movies.demo_upstream import serve

AUTH = ("demo", "demo")
BASE_DIR = settings.BASE_DIR


def get(server, page=None, auth=AUTH, **kwargs):
    params = {} if page is None else {"page": page}
    return requests.get(server.url, params=params, auth=auth, timeout=5, **kwargs)


def test_a_page_is_in_the_upstream_wire_format(demo_upstream):
    response = get(demo_upstream, 2)

    body = response.json()
    assert response.status_code == 200
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 45466
    assert body["next"] == f"{demo_upstream.url}?page=3"
    assert body["previous"] == f"{demo_upstream.url}?page=1"
    assert len(body["results"]) == 10
    for movie in body["results"]:
        assert sorted(movie) == ["description", "genres", "title", "uuid"]
        assert movie["title"]
        assert movie["description"]
        assert uuid.UUID(movie["uuid"])
        assert set(filter(None, movie["genres"].split(","))) <= set(demo_catalog.GENRE_NAMES)


def test_without_a_page_it_serves_the_first(demo_upstream):
    body = get(demo_upstream).json()

    assert body["previous"] is None
    assert body["results"] == list(demo_catalog.page(1))


def test_the_last_page_has_no_next(demo_upstream):
    body = get(demo_upstream, 4547).json()

    assert (body["next"], len(body["results"])) == (None, 6)


@pytest.mark.parametrize("page", ["4548", "0", "-1", "abc"])
def test_a_page_past_the_end_or_invalid_is_not_found(demo_upstream, page):
    response = get(demo_upstream, page)

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize("auth", [None, ("demo", "wrong"), ("other", "demo")])
def test_basic_auth_is_required(demo_upstream, auth):
    response = get(demo_upstream, 1, auth=auth)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="api"'


def test_the_catalog_is_the_same_on_every_run():
    # Pinned: a change here changes movies that users have already put in collections.
    assert demo_catalog.movie(12345) == {
        "title": "Return to Provence",
        "description": (
            "A famous novelist inherits a crumbling house with a dark history. Soon, old loyalties are put to the test."
        ),
        "genres": "Adventure,Science Fiction,Foreign",
        "uuid": "d09e8b78-02b0-594d-91d9-048f8ee6f9c8",
    }
    assert len({demo_catalog.movie(i)["uuid"] for i in range(2000)}) == 2000
    assert demo_catalog.CATALOG_SIZE >= 45_000


def test_every_genre_is_one_of_the_upstreams_twenty():
    seen = {genre for i in range(3000) for genre in demo_catalog.movie(i)["genres"].split(",") if genre}

    assert seen == set(demo_catalog.GENRE_NAMES)
    assert len(demo_catalog.GENRE_NAMES) == 20


def test_a_failure_rate_of_one_fails_every_request():
    server = serve("127.0.0.1", 0, failure_rate=1.0, seed=1)
    try:
        statuses = {get(server, 1).status_code for _ in range(20)}
    finally:
        server.shutdown()

    assert statuses == {500, 503}


def test_the_same_seed_fails_the_same_requests():
    def statuses(seed):
        server = serve("127.0.0.1", 0, failure_rate=0.5, seed=seed)
        try:
            return [get(server, 1).status_code for _ in range(20)]
        finally:
            server.shutdown()

    first = statuses(7)

    assert statuses(7) == first
    assert {200, 500, 503} <= set(first)


def test_the_command_refuses_a_failure_rate_above_one():
    with pytest.raises(CommandError, match="failure_rate"):
        call_command("demo_upstream", "--port", "0", "--failure-rate", "2")


def test_it_runs_on_its_own_with_no_django_settings_as_the_readme_says(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    command = [sys.executable, "-m", "movies.demo_upstream", "--port", "0", "--username", "u", "--password", "p"]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
    try:
        banner = process.stdout.readline()
        url = banner.split()[4]
        answered = requests.get(url, params={"page": 1}, auth=("u", "p"), timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert banner.startswith("Demo movie catalog at http://127.0.0.1:")
    assert answered.status_code == 200
    assert answered.json()["count"] == 45466


def test_standalone_it_refuses_a_failure_rate_above_one():
    command = [sys.executable, "-m", "movies.demo_upstream", "--port", "0", "--failure-rate", "2"]
    finished = subprocess.run(command, cwd=BASE_DIR, capture_output=True, text=True, timeout=30)

    assert finished.returncode == 2
    assert "failure_rate must be between 0 and 1." in finished.stderr
