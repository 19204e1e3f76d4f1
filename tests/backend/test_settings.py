"""Start-up settings, checked in fresh processes as a deployment would run them.

`backend/settings.py` also reads a `.env` file beside `manage.py`, without
overriding the environment: a test that needs a variable *unset* is skipped
when that file sets it.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "ALLOWED_HOSTS": "api.example.com",
}
MISSING_SECRET_KEY = "SECRET_KEY must be set when DEBUG is off."


def dotenv_sets(name: str) -> bool:
    dotenv = REPO / ".env"
    if not dotenv.exists():
        return False
    return re.search(rf"^\s*(export\s+)?{name}\s*=\s*\S", dotenv.read_text(encoding="utf-8"), re.MULTILINE) is not None


def manage(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """`manage.py <args>` in a fresh process whose environment holds only `variables` (and PATH, HOME)."""
    env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ} | variables
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    if dotenv_sets("SECRET_KEY"):
        pytest.skip("the repository's .env sets SECRET_KEY")

    result = manage("check", DEBUG="false")

    assert result.returncode != 0
    assert MISSING_SECRET_KEY in result.stderr


def test_refuses_to_start_without_a_secret_key_when_debug_is_unset():
    if dotenv_sets("SECRET_KEY") or dotenv_sets("DEBUG"):
        pytest.skip("the repository's .env sets SECRET_KEY or DEBUG")

    result = manage("check")

    assert result.returncode != 0
    assert MISSING_SECRET_KEY in result.stderr


def test_refuses_an_empty_secret_key_whatever_the_dotenv_file_says():
    result = manage("check", SECRET_KEY="", DEBUG="false")

    assert result.returncode != 0
    assert MISSING_SECRET_KEY in result.stderr


def test_starts_without_a_secret_key_in_debug(tmp_path):
    result = manage("check", SECRET_KEY="", DEBUG="true", SECRET_KEY_FILE=str(tmp_path / "key"))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_signs_with_a_key_of_the_checkout_made_on_first_use(tmp_path):
    key_file = tmp_path / "key"
    print_key = ("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")

    first = manage(*print_key, SECRET_KEY="", DEBUG="true", SECRET_KEY_FILE=str(key_file))
    again = manage(*print_key, SECRET_KEY="", DEBUG="true", SECRET_KEY_FILE=str(key_file))
    elsewhere = manage(*print_key, SECRET_KEY="", DEBUG="true", SECRET_KEY_FILE=str(tmp_path / "other"))

    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 50
    assert again.stdout.strip().splitlines()[-1] == key
    assert elsewhere.stdout.strip().splitlines()[-1] != key
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "insecure" not in Path(REPO / "backend" / "settings.py").read_text()


def test_deploy_check_passes_with_the_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_with_the_development_defaults():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short", DEBUG="false")

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_deploy_check_passes_with_the_operations_settings_too():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        METRICS_TOKEN=secrets.token_urlsafe(32),
        ADMIN_URL="ops/console/",
        LOG_FORMAT="json",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ADMIN_URL", "/admin/", "ADMIN_URL must end with a slash and not begin with one, e.g. admin/."),
        ("ADMIN_URL", "admin", "ADMIN_URL must end with a slash and not begin with one, e.g. admin/."),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be json or text."),
    ],
)
def test_refuses_a_malformed_operations_setting(name, value, message):
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(50), DEBUG="false", **{name: value})

    assert result.returncode != 0
    assert message in result.stderr
