"""In production (DEBUG off, gunicorn) WhiteNoise serves what `collectstatic` gathered."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tests.html_assets import asset_urls

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def collected_static_root(tmp_path_factory):
    """A STATIC_ROOT filled by `manage.py collectstatic`, as a deployment does (once: it takes seconds)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected_static(settings, collected_static_root):
    settings.STATIC_ROOT = collected_static_root
    return collected_static_root


def fetch(client: Client, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return response.status_code, dict(response.headers), body


@pytest.mark.parametrize("page", ["/graphql/", "/api/docs/"])
def test_every_asset_of_the_browser_pages_is_served_after_collectstatic(collected_static, page):
    # A new client, so WhiteNoise starts with the collected STATIC_ROOT.
    client = Client()
    html = client.get(page, HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    urls = asset_urls(html)
    statuses = {url: fetch(client, url)[0] for url in urls}

    assert urls
    assert statuses == dict.fromkeys(urls, 200)


def test_static_files_are_served_compressed_when_the_browser_accepts_gzip(collected_static):
    status, headers, body = fetch(Client(), "/static/graphiql/graphiql.min.js", Accept_Encoding="gzip")

    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("text/javascript")
    assert len(body) < (collected_static / "graphiql" / "graphiql.min.js").stat().st_size / 2


def test_a_missing_static_file_is_not_found(collected_static):
    status, _, _ = fetch(Client(), "/static/graphiql/no-such-file.js")

    assert status == 404
