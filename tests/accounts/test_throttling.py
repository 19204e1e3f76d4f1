"""The bound on registration and token attempts per client address."""

import pytest
from django.test import RequestFactory

from accounts.throttling import Throttled, auth_attempt_throttle, client_address


def request_from(address: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/token/", **headers)


def test_the_attempt_after_the_limit_is_refused_with_a_retry_after(settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 3
    request = request_from("192.0.2.1")
    for _ in range(3):
        auth_attempt_throttle(request)

    with pytest.raises(Throttled) as refused:
        auth_attempt_throttle(request)

    assert 1 <= refused.value.retry_after <= 60


def test_each_address_has_its_own_bound(settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 1
    auth_attempt_throttle(request_from("192.0.2.1"))

    auth_attempt_throttle(request_from("192.0.2.2"))

    with pytest.raises(Throttled):
        auth_attempt_throttle(request_from("192.0.2.1"))


def test_a_limit_of_zero_turns_the_bound_off(settings):
    settings.AUTH_THROTTLE_PER_MINUTE = 0
    request = request_from("192.0.2.1")

    for _ in range(100):
        auth_attempt_throttle(request)  # never refused


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "spoofed, 203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (1, None, "192.0.2.1"),
    ],
)
def test_the_client_address_trusts_as_many_forwarding_proxies_as_configured(settings, proxies, forwarded_for, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}

    assert client_address(request_from("192.0.2.1", forwarded_for)) == expected
