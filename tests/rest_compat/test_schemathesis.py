"""Schemathesis against the served OpenAPI document: every check, zero failures.

It runs as a client developer would (`st run`): the document read from
`/api/schema/`, requests over HTTP to a live server, authenticated with a
real bearer token of a user who has collections, with a fixed seed and a
bounded number of examples.

What JSON Schema cannot say is forgiven, and only that: a refusal (400)
whose every error is a taken username, a password too like the username or
a common one (Django's validators), a movie given twice in one collection
(with other titles), or more than 20 different genres for one movie; and a
412 for a valid `If-Match` that names another version than the current one
(it depends on what was read, not on the data).
"""

import json
import re
from typing import Any

import pytest
import schemathesis
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import Status, events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData

from tests.factories import CollectionFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.slow

SEED = 20_251
MAX_EXAMPLES = 15
# Schemathesis's defaults, and 412: a valid `If-Match` that names another version than the collection's.
ACCEPTED_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]


@pytest.fixture
def bearer_token(settings: Any) -> str:
    """A user with collections and movies, who may create as many as the run asks for."""
    settings.COLLECTIONS_PER_USER_LIMIT = 100_000
    user = UserFactory()
    CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))
    CollectionFactory(owner=user)
    return str(AccessToken.for_user(user))


def run_config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "cache": {"enabled": False},
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_STATUSES}},
        }
    )


# The refusals no JSON Schema keyword can describe: (field, code) of the problem's errors.
UNSAYABLE_REFUSALS = [
    (r"username", "unique"),
    (r"password", "password_too_similar"),
    (r"password", "password_too_common"),
    (r"movies\.\d+\.uuid", "duplicate"),
    (r"movies\.\d+\.genres", "max_length"),
]


def is_unsayable_refusal(status_code: int, body: bytes) -> bool:
    """A 400 whose every error is one the document cannot express (it says them in words)."""
    if status_code != 400:
        return False
    errors = json.loads(body).get("errors") or []
    return bool(errors) and all(
        any(re.fullmatch(field, error["field"]) and error["code"] == code for field, code in UNSAYABLE_REFUSALS)
        for error in errors
    )


def failures_of(schema: Any) -> list[str]:
    """Every failed check and every error of a run, one line each with the request that shows it."""
    found = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            for checks in event.recorder.checks.values():
                found += [describe(check.failure_info) for check in checks if check.status == Status.FAILURE]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            found.append(f"error: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.EngineFinished):
            found += [describe_failure(failure) for failure in event.failures]
    return found


def describe(info: Any) -> str:
    return f"{describe_failure(info.failure)}\n    {info.code_sample}"


def describe_failure(failure: Failure) -> str:
    return f"{failure.operation}: {failure.title}: {failure.message}"


def test_the_server_answers_as_its_openapi_document_says(live_server, demo_upstream, bearer_token, settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 0  # registrations and logins all run; a 429 would end their checks early
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", config=run_config(bearer_token)
    )

    @schema.hook
    def filter_failure(context: Any, failure: Failure, case: Any, response: Any) -> bool:
        rejected = isinstance(failure, RejectedPositiveData)
        return not (rejected and is_unsayable_refusal(response.status_code, response.content))

    failures = failures_of(schema)
    assert not failures, "\n".join(failures)
