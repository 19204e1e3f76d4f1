"""GET /api/docs/ shows Swagger UI from drf-spectacular-sidecar's static files (no CDN)."""

import re

import pytest

from tests.html_assets import BROWSER_ACCEPT, asset_urls, missing_static_files

pytestmark = pytest.mark.django_db


def test_swagger_ui_opens_without_a_token(client):
    response = client.get("/api/docs/", HTTP_ACCEPT=BROWSER_ACCEPT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<title>Movie collections API (REST)</title>" in response.content.decode()


def test_swagger_ui_names_no_other_host(client):
    html = client.get("/api/docs/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    assert re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", html) == []


def test_swagger_ui_loads_its_scripts_and_styles_from_our_static_files(client):
    html = client.get("/api/docs/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()

    urls = asset_urls(html)
    assert [url.rsplit("/", 1)[-1] for url in urls] == [
        "favicon-32x32.png",
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    ]
    assert missing_static_files(urls) == []


def test_swagger_ui_reads_the_public_schema(client):
    html = client.get("/api/docs/", HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()
    schema = client.get("/api/schema/")

    assert 'url: "/api/schema/"' in html
    assert schema.status_code == 200
    assert schema.content.startswith(b"openapi: 3.")
