"""nginx for the deployment tests: installed when missing (as root, with apt-get), else the tests skip.

CI (`.ci/run`, `REQUIRE_NGINX=1`) installs it beforehand and fails instead of skipping.
"""

import os

import pytest

from deploy import nginx


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    try:
        return nginx.ensure_installed()
    except FileNotFoundError as error:
        if os.environ.get("REQUIRE_NGINX"):
            pytest.fail(f"REQUIRE_NGINX is set and {error}")
        pytest.skip(f"{error}; these tests run nginx")
