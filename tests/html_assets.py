"""Reads the scripts and stylesheets an HTML page loads, for the offline-page tests."""

from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders

# What a browser's Accept header asks for when it opens a page.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") if tag == "script" else values.get("href") if tag == "link" else None
        # A data: URL is inline content, never fetched.
        if url and not url.startswith("data:"):
            self.urls.append(url)


def asset_urls(html: str) -> list[str]:
    """Every `<script src>` and `<link href>` the browser fetches, in document order."""
    collector = _AssetCollector()
    collector.feed(html)
    return collector.urls


def missing_static_files(urls: list[str]) -> list[str]:
    """The URLs that are not under STATIC_URL or that no staticfiles finder knows."""
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    missing = []
    for url in urls:
        if not url.startswith(prefix) or finders.find(url.removeprefix(prefix)) is None:
            missing.append(url)
    return missing
