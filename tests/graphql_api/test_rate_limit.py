"""The cost bucket of each caller: answers are charged their actual cost; a caller in debt is refused."""

import uuid

import pytest
import redis
from rest_framework.test import APIClient

from graphql_api import rate_limit
from graphql_api.rate_limit import CostLimiter, LocalBuckets, RedisBuckets
from tests.clock import ManualClock
from tests.conftest import bearer_client
from tests.factories import CollectionFactory
from tests.plugins.request_counter import TEST_REDIS_URL, delete_keys, free_port

pytestmark = pytest.mark.django_db

FIVE_COLLECTIONS = "{ collections(pagination: {limit: 5}) { results { title } } }"  # 1 + 5 points


@pytest.fixture
def small_bucket(settings, monkeypatch):
    """Buckets of 10 points refilled by 1 a second, in this process, on a clock that moves when told."""
    settings.GRAPHQL_COST_BUCKET = 10
    settings.GRAPHQL_COST_REFILL_PER_SECOND = 1
    clock = ManualClock()
    monkeypatch.setattr(rate_limit, "_limiter", CostLimiter(LocalBuckets(clock), clock))
    return clock


def ask(client: APIClient, query: str, **headers) -> tuple[int, dict, dict]:
    response = client.post("/graphql/", {"query": query}, format="json", **headers)
    return response.status_code, dict(response.headers), response.json()


def test_a_caller_whose_bucket_is_in_debt_is_refused_on_both_faces(user, small_bucket):
    CollectionFactory.create_batch(5, owner=user)
    client = bearer_client(user)

    first = ask(client, FIVE_COLLECTIONS)  # 10 - 6 = 4 left
    second = ask(client, FIVE_COLLECTIONS)  # 4 - 6 = -2: answered, and now in debt
    refused = ask(client, FIVE_COLLECTIONS)
    rest = client.get("/collections/")

    assert [first[0], second[0]] == [200, 200]
    assert [answer[2]["extensions"]["cost"]["bucket"]["available"] for answer in (first, second)] == [4, -2]
    status, headers, body = refused
    assert (status, headers["Retry-After"]) == (429, "2")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": "The query cost budget is spent; retry in 2 s.",
                "extensions": {"code": "RATE_LIMITED", "retryAfter": 2},
            }
        ],
        "extensions": {"cost": {"requested": 6}},
    }
    assert (rest.status_code, rest["Retry-After"], rest["Content-Type"]) == (429, "2", "application/problem+json")


def test_the_bucket_refills_with_time(user, small_bucket):
    CollectionFactory.create_batch(5, owner=user)
    client = bearer_client(user)
    for _ in range(2):
        ask(client, FIVE_COLLECTIONS)

    small_bucket.now += 2  # the debt of 2 points is paid

    assert ask(client, FIVE_COLLECTIONS)[0] == 200


def test_anonymous_callers_are_charged_by_address(small_bucket):
    addresses = {"REMOTE_ADDR": "192.0.2.1"}, {"REMOTE_ADDR": "192.0.2.2"}
    client = APIClient()
    query = '{ a: collection(uuid: "00000000-0000-0000-0000-000000000001") { title } }'  # refused: 1 point a go

    statuses = [ask(client, query, **addresses[0])[0] for _ in range(12)]
    other = ask(client, query, **addresses[1])[0]

    assert statuses == [200] * 10 + [200, 429]  # the 11th answer takes the bucket into debt
    assert other == 200


def test_a_refill_of_zero_turns_the_bucket_off(user, settings):
    settings.GRAPHQL_COST_BUCKET = 1
    settings.GRAPHQL_COST_REFILL_PER_SECOND = 0
    client = bearer_client(user)

    answers = [ask(client, "{ me { username } }") for _ in range(5)]

    assert [status for status, _, _ in answers] == [200] * 5
    assert answers[-1][2]["extensions"]["cost"] == {"requested": 1, "actual": 1}


@pytest.fixture
def redis_prefix():
    prefix = f"test-cost-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(TEST_REDIS_URL)
    delete_keys(client, prefix)
    client.close()


def test_two_processes_share_the_buckets_in_redis(settings, redis_prefix):
    settings.GRAPHQL_COST_BUCKET = 10
    settings.GRAPHQL_COST_REFILL_PER_SECOND = 1
    first, second = (
        CostLimiter(RedisBuckets(url=TEST_REDIS_URL, prefix=redis_prefix, timeout_seconds=1)) for _ in range(2)
    )

    first.charge("user:1", 8)
    balance = second.charge("user:1", 8)

    assert balance.available == pytest.approx(-6, abs=0.1)
    assert second.retry_after("user:1") == 6
    assert first.retry_after("user:1") is None  # until its own next charge tells it
    first.charge("user:1", 1)
    assert first.retry_after("user:1") == 7
    assert second.retry_after("user:2") is None


def deferred_limiters(count: int, redis_prefix: str) -> list[CostLimiter]:
    """Limiters of `count` processes on one Redis, whose flushes run only when a test calls them."""
    store = RedisBuckets(url=TEST_REDIS_URL, prefix=redis_prefix, timeout_seconds=1)
    return [CostLimiter(store, flush_interval=3600) for _ in range(count)]


def test_with_redis_far_from_the_limit_each_process_sends_its_charges_together(settings, redis_prefix):
    settings.GRAPHQL_COST_BUCKET = 100
    settings.GRAPHQL_COST_REFILL_PER_SECOND = 1
    first, second = deferred_limiters(2, redis_prefix)
    client = redis.Redis.from_url(TEST_REDIS_URL)

    answers = [first.charge("user:1", 2) for _ in range(4)] + [second.charge("user:1", 3)]
    stored_before = client.exists(f"{redis_prefix}:cost:user:1")
    first.flush()
    second.flush()
    client.close()

    assert answers == [None] * 5  # gathered: nothing sent, no balance known yet
    assert stored_before == 0
    assert first.charge("user:1", 0).available == pytest.approx(92, abs=0.1)  # what its flush learned
    assert second.charge("user:1", 0).available == pytest.approx(89, abs=0.1)


def test_with_redis_near_the_limit_a_process_charges_at_once_and_learns_the_debt(settings, redis_prefix):
    settings.GRAPHQL_COST_BUCKET = 100
    settings.GRAPHQL_COST_REFILL_PER_SECOND = 1
    first, second = deferred_limiters(2, redis_prefix)

    gathered = first.charge("user:1", 5)  # 95 left as far as it knows: gathered
    sent = first.charge("user:1", 10)  # 85 left, under 90 %: sent at once with the 5
    also_gathered = second.charge("user:1", 5)  # knows nothing of the first's: 95 left as far as it knows
    in_debt = second.charge("user:1", 90)  # sent with the 5: 85 - 95 = -10

    assert (gathered, also_gathered) == (None, None)
    assert sent.available == pytest.approx(85, abs=0.1)
    assert in_debt.available == pytest.approx(-10, abs=0.1)
    assert second.retry_after("user:1") == 10
    assert first.retry_after("user:1") is None  # until its next charge tells it
    first.charge("user:1", 1)
    assert first.retry_after("user:1") == 11


def test_buckets_without_redis_are_the_processs_own(small_bucket):
    limiter = CostLimiter(LocalBuckets(small_bucket), small_bucket)

    balances = [limiter.charge("user:1", 4).available for _ in range(3)]

    assert balances == [6, 2, -2]
    assert limiter.retry_after("user:1") == 2


def test_unreachable_redis_limits_nothing(small_bucket, caplog):
    limiter = CostLimiter(RedisBuckets(url=f"redis://127.0.0.1:{free_port()}/0", prefix="x", timeout_seconds=0.5))

    balance = limiter.charge("user:1", 100)

    assert balance is None
    assert limiter.retry_after("user:1") is None
    assert "Cost buckets unavailable" in caplog.text
