"""`/metrics`: off by default, behind its own token, and exact about what the process served."""

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from movies.demo_upstream import MOVIES_PATH
from tests.plugins.upstreams import upstream_payload

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "scrape-token-for-the-tests-4Fq9"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail}


@pytest.fixture
def metrics_on(settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN


def scrape() -> Samples:
    """Every sample `/metrics` answers, by name and labels."""
    response = APIClient().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def increase(metrics_on: None) -> Callable[..., float]:
    """`increase(name, **labels)`: how much a sample grew since the test began (samples are per process)."""
    before = scrape()
    return lambda name, **labels: sample(scrape(), name, **labels) - sample(before, name, **labels)


def test_metrics_are_not_found_while_no_token_is_set(api_client):
    response = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404
    assert response.json() == problem(404, "Not Found", "No such resource.")


@pytest.mark.usefixtures("metrics_on")
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {METRICS_TOKEN}", METRICS_TOKEN])
def test_metrics_refuse_a_request_without_their_token(api_client, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = api_client.get("/metrics", **headers)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json() == problem(401, "Unauthorized", "A valid metrics token is required.")


@pytest.mark.usefixtures("metrics_on")
def test_metrics_answer_prometheus_text_with_the_token(api_client):
    response = api_client.get("/metrics/", HTTP_AUTHORIZATION=f"bearer {METRICS_TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b"# TYPE http_requests_total counter" in response.content


def test_requests_are_counted_by_route_method_and_status(api_client, auth_client, increase):
    for _ in range(3):
        api_client.get("/health/")
    api_client.get("/no/such/path")
    api_client.post("/health/")
    for collection in (uuid.uuid4(), uuid.uuid4()):
        auth_client.get(f"/collections/{collection}/")

    assert increase("http_requests_total", route="health", method="GET", status="200") == 3
    assert increase("http_requests_total", route="health", method="POST", status="405") == 1
    assert increase("http_requests_total", route="unmatched", method="GET", status="404") == 1
    assert increase("http_requests_total", route="collection-detail", method="GET", status="404") == 2
    assert increase("http_request_duration_seconds_count", route="health") == 4
    assert increase("http_request_duration_seconds_bucket", route="health", le="+Inf") == 4


def test_a_route_label_never_holds_a_raw_path(auth_client, metrics_on):
    collection = uuid.uuid4()
    auth_client.get(f"/collections/{collection}/")
    auth_client.get(f"/{collection}/unknown")

    routes = {dict(labels).get("route") for name, labels in scrape() if name == "http_requests_total"}

    assert {"collection-detail", "unmatched"} <= routes
    assert not any(str(collection) in route for route in routes)


def test_a_failing_upstream_counts_its_call_retries_and_cache_miss(auth_client, fake_upstream, increase):
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)

    response = auth_client.get("/movies/?page=1")

    assert response.status_code == 503
    assert len(fake_upstream.log) == 3  # MOVIES_API_MAX_ATTEMPTS
    assert increase("movies_upstream_calls_total", outcome="unavailable") == 1
    assert increase("movies_upstream_calls_total", outcome="success") == 0
    assert increase("movies_upstream_retries_total", reason="http_status") == 2
    assert increase("movies_cache_lookups_total", result="miss") == 1


def test_an_open_circuit_is_shown_and_its_refusals_counted(auth_client, fake_upstream, settings, increase):
    settings.MOVIES_BREAKER_FAILURE_THRESHOLD = 1
    settings.MOVIES_API_MAX_ATTEMPTS = 1
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=503)

    statuses = [auth_client.get("/movies/?page=1").status_code for _ in range(3)]

    assert statuses == [503, 503, 503]
    assert len(fake_upstream.log) == 1
    assert increase("movies_upstream_calls_total", outcome="unavailable") == 1
    assert increase("movies_upstream_calls_total", outcome="circuit_open") == 2
    assert sample(scrape(), "movies_circuit_breaker_state") == 2


def test_cache_hits_and_stale_serves_are_counted(auth_client, fake_upstream, settings, increase):
    fake_upstream.expect_ordered_request(MOVIES_PATH).respond_with_json(upstream_payload())
    fake_upstream.expect_request(MOVIES_PATH).respond_with_data("down", status=500)

    fresh = auth_client.get("/movies/?page=1")
    cached = auth_client.get("/movies/?page=1")
    settings.MOVIES_CACHE_FRESH_SECONDS = 0
    stale = auth_client.get("/movies/?page=1")

    assert [fresh.status_code, cached.status_code, stale.status_code] == [200, 200, 200]
    assert stale["X-Cache-Stale"] == "true"
    assert increase("movies_cache_lookups_total", result="hit") == 1
    assert increase("movies_cache_lookups_total", result="miss") == 2
    assert increase("movies_cache_lookups_total", result="stale") == 1
    assert increase("movies_upstream_calls_total", outcome="success") == 1
    assert sample(scrape(), "movies_circuit_breaker_state") == 0


def test_the_counter_flush_is_timestamped(auth_client, redis_counter, metrics_on):
    before = time.time()

    auth_client.get("/request-count/")

    assert before <= sample(scrape(), "request_counter_synced_timestamp_seconds") <= time.time()
