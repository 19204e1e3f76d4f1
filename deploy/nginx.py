"""Renders `deploy/nginx.conf.template` for a listening address, the app instances and the static files.

    python -m deploy.nginx --listen 8080 --upstream 127.0.0.1:8101 --upstream 127.0.0.1:8102 \\
        --client-max-body-size 2621440 [--static-root staticfiles] [--output nginx.conf]

The rendered file's relative paths (pid, logs, temporary files) are under
nginx's prefix: `prepare_prefix` makes them, `nginx_command` runs nginx there.
"""

import argparse
import getpass
import json
import os
import shutil
import string
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
# nginx's errors answered as problem documents, as the app answers its own.
PROBLEM_STATUSES = (413, 502, 503, 504)
PROBLEM_DETAILS = {
    413: "The request body is too large.",
    502: "No instance of the app answered.",
    503: "No instance of the app answered.",
    504: "No instance of the app answered in time.",
}
# Seconds nginx keeps an idle connection to an instance: below gunicorn's `keepalive` (gunicorn.conf.py).
UPSTREAM_KEEPALIVE_SECONDS = 60
# An instance failing this often within this many seconds is left out for that long.
UPSTREAM_MAX_FAILS = 3
UPSTREAM_FAIL_TIMEOUT_SECONDS = 10


class NginxTemplate(string.Template):
    """`%{name}` placeholders: `$` belongs to nginx's own variables."""

    delimiter = "%"


@dataclass(frozen=True)
class Site:
    """What one rendering of the configuration needs."""

    listen: str
    upstreams: Sequence[str]
    client_max_body_size: int
    static_root: Path | None = None
    worker_user: str | None = None


def render(site: Site) -> str:
    """The configuration text of `site`."""
    if not site.upstreams:
        raise ValueError("At least one app instance is needed.")
    return NginxTemplate(TEMPLATE.read_text(encoding="utf-8")).substitute(
        worker_user=f"user {site.worker_user};\n" if site.worker_user else "",
        listen=site.listen,
        client_max_body_size=site.client_max_body_size,
        upstream_servers="\n".join(upstream_server(address) for address in site.upstreams),
        upstream_keepalive_timeout=UPSTREAM_KEEPALIVE_SECONDS,
        problem_locations="".join(problem_location(status) for status in PROBLEM_STATUSES),
        static_location=static_location(site.static_root),
    )


def upstream_server(address: str) -> str:
    return f"        server {address} max_fails={UPSTREAM_MAX_FAILS} fail_timeout={UPSTREAM_FAIL_TIMEOUT_SECONDS}s;"


def problem_document(status: int) -> str:
    """The body the app answers for `status` (backend.problems.problem_response)."""
    title = HTTPStatus(status).phrase
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": PROBLEM_DETAILS[status]})


def problem_location(status: int) -> str:
    return (
        f"        location @problem_{status} {{\n"
        "            default_type application/problem+json;\n"
        f"            return {status} '{problem_document(status)}';\n"
        "        }\n"
    )


def static_location(static_root: Path | None) -> str:
    """nginx serves `collectstatic`'s output itself; without a root, WhiteNoise in the app does."""
    if static_root is None:
        return ""
    return (
        "        location /static/ {\n"
        f"            alias {static_root.resolve()}/;\n"
        "            access_log off;\n"
        "            gzip_static on;\n"
        "            expires 1h;\n"
        "        }\n"
    )


def prepare_prefix(prefix: Path, site: Site) -> Path:
    """Writes `<prefix>/nginx.conf` and the directories it names; answers the configuration's path."""
    for directory in ("logs", "temp"):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render(site), encoding="utf-8")
    return conf


def nginx_binary() -> str | None:
    """nginx on PATH, or Debian's (in /usr/sbin, which a user's PATH may leave out)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def ensure_installed() -> str:
    """nginx's path; installs Debian's package first when it is missing and this runs as root."""
    if binary := nginx_binary():
        return binary
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise FileNotFoundError("nginx is missing: sudo apt-get install nginx")
    print("Installing nginx (apt-get install nginx)")
    if not apt_get("install", "-y", "nginx"):
        apt_get("update")  # the package lists may be missing or stale
        apt_get("install", "-y", "nginx")
    if binary := nginx_binary():
        return binary
    raise FileNotFoundError("nginx could not be installed: apt-get install nginx failed")


def apt_get(*args: str) -> bool:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", "-qq", *args], env=env, capture_output=True, check=False).returncode == 0  # noqa: S603, S607


def worker_user() -> str | None:
    """nginx started as root runs its workers as `nobody`, who may not read the checkout: they run as root then.

    Started by anyone else, nginx runs as that user and takes no `user` directive.
    """
    return getpass.getuser() if os.geteuid() == 0 else None


def nginx_command(prefix: Path, *args: str) -> list[str]:
    """nginx run with `prefix` as its home: `<prefix>/nginx.conf`, its logs and temporary files there."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    prefix = prefix.resolve()
    return [binary, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "logs/error.log"), *args]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", required=True, help="nginx's `listen`: a port or address:port")
    parser.add_argument("--upstream", action="append", required=True, help="an app instance, host:port (repeat)")
    parser.add_argument(
        "--client-max-body-size", type=int, required=True, help="the app's DATA_UPLOAD_MAX_MEMORY_SIZE, in bytes"
    )
    parser.add_argument("--static-root", type=Path, help="serve /static/ from here (default: the app does)")
    parser.add_argument("--worker-user", help="the user of nginx's workers when it starts as root")
    parser.add_argument("--output", type=Path, help="write here (default: standard output)")
    options = parser.parse_args(argv)
    text = render(
        Site(
            listen=options.listen,
            upstreams=options.upstream,
            client_max_body_size=options.client_max_body_size,
            static_root=options.static_root,
            worker_user=options.worker_user,
        )
    )
    if options.output:
        options.output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
