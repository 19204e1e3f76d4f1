import pytest


@pytest.fixture(autouse=True)
def _movies_settings(movies_settings):
    """Every catalog test gets fast knobs, a private cache and a closed breaker."""
