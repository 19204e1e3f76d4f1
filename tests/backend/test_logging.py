"""What anonymous junk may cost the logs: one short line a request at most."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORGED_HOSTS = (
    "from django.test import Client\n"
    "client = Client()\n"
    "statuses = [client.get('/health/', HTTP_HOST='evil-%d.example' % i + 'x' * 2000).status_code for i in range(3)]\n"
    "print(statuses)\n"
)


def test_a_forged_host_logs_one_short_line_without_a_traceback(tmp_path):
    env = {
        **{name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ},
        "SECRET_KEY": "logging-test-secret-key-long-enough-for-the-checks",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REQUEST_COUNTER_ENABLED": "false",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", FORGED_HOSTS],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip().splitlines()[-1] == "[400, 400, 400]"
    logged = [line.split(" ", 2)[2] for line in result.stderr.splitlines() if "django.security" in line]
    assert logged == ["WARNING django.security.DisallowedHost Refused a suspicious request"] * 3
    assert "Traceback" not in result.stderr
    assert "evil-" not in result.stderr
