"""Browser tests: Debian's Chromium driven by Playwright, the built SPA on an origin of its own (a pytest plugin).

The API runs in pytest-django's `live_server` (this process, the test
database, the test's settings). Chromium is never downloaded: the tests use
`/usr/bin/chromium` (`apt-get install chromium`); the SPA is built by
`make spa-build`. Every page fails its test when it sends a request
anywhere but this machine, and leaves a screenshot in the test's tmp dir;
`screenshot(name)` keeps one of a moment a test chooses, also in
`--screenshots-dir` when given (`make screenshots`: the README's).
"""

import json
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SPA_DIST = BASE_DIR / "examples" / "spa" / "dist"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
VIEWPORT = {"width": 1280, "height": 860}
# Each wait for the page to show something; generous for a loaded two-core machine.
TIMEOUT_MS = 15_000


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots-dir",
        default=None,
        help="also save each browser test's screenshot here (make screenshots: docs/screenshots)",
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio loop running in this thread, which Django takes for an async
    # context and refuses the ORM in; the tests run no coroutine of their own (Playwright's advice for Django).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as driver:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or SKIP_BROWSER_TESTS=1 make test)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()


class OffMachineRequests(list[str]):
    """The URLs a page tried to fetch from another machine (each refused)."""

    def guard(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and urlsplit(url).hostname not in LOCAL_HOSTS:
            self.append(url)
            route.abort("blockedbyclient")
        else:
            route.fallback()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Page]:
    """A fresh browser context's page; its screenshot is saved, and no request may leave the machine."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    off_machine = OffMachineRequests()
    context.route("**/*", off_machine.guard)
    page = context.new_page()
    yield page
    page.screenshot(path=tmp_path / "screenshot.png")
    context.close()
    assert off_machine == [], "the page sent requests off this machine"


@pytest.fixture
def screenshot(page: Page, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], None]:
    """`screenshot(name)`: the page as it is now, as `name`.png in the test's tmp dir and `--screenshots-dir`."""

    def take(name: str) -> None:
        image = page.screenshot(path=tmp_path / f"{name}.png")
        screenshots_dir = request.config.getoption("--screenshots-dir")
        if screenshots_dir:
            Path(screenshots_dir).mkdir(parents=True, exist_ok=True)
            (Path(screenshots_dir) / f"{name}.png").write_bytes(image)

    return take


class SpaHandler(SimpleHTTPRequestHandler):
    """The built SPA as static files, with a config.json naming the API under test."""

    def __init__(self, *args: Any, config: bytes, **kwargs: Any) -> None:
        self.config = config
        super().__init__(*args, directory=str(SPA_DIST), **kwargs)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.config)))
            self.end_headers()
            self.wfile.write(self.config)
        else:
            super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def spa_url(live_server: Any, settings: Any) -> Iterator[str]:
    """The SPA's URL: 127.0.0.1 on a port of its own, another origin than the API's (CORS allows it)."""
    if not (SPA_DIST / "index.html").exists():
        pytest.fail(f"{SPA_DIST} is missing: make spa-build")
    config = json.dumps({"apiUrl": f"{live_server.url}/graphql/"}).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SpaHandler, config=config))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    yield origin
    server.shutdown()
    server.server_close()
