"""next_rsc.scrapy in a real Scrapy crawl of fixture pages served on the loopback address:
each response's page is what `next-rsc extract --url URL FILE` prints."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_next_rsc import BIN, ROOT, cli

SITE = ROOT / "fixtures" / "nextjs" / "v16"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    handler = functools.partial(Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_crawl_gets_the_page_of_every_next_response(server: str, tmp_path: Path) -> None:
    pages = sorted(p.name for p in SITE.iterdir() if p.suffix in {".html", ".rsc"})
    assert len(pages) >= 15
    urls = [f"{server}/{name}" for name in pages] + [f"{server}/missing-page", f"{server}/build.log"]
    out = tmp_path / "items.jsonl"
    subprocess.run([sys.executable, str(Path(__file__).with_name("scrapy_crawl.py")), str(out), *urls],
                   check=True, timeout=300)
    items = {item["url"]: item for item in map(json.loads, filter(None, out.read_text().split("\n")))}
    assert set(items) == set(urls), set(urls) ^ set(items)
    for name in pages:
        url = f"{server}/{name}"
        printed = cli("extract", "--url", url, str((SITE / name).relative_to(ROOT)))
        item = items[url]
        if printed.returncode == 2:
            assert item["page"] is None and item["error"], name
            continue
        expected = json.loads(printed.stdout)
        assert item["page"] is not None, (name, item["error"])
        for key in ("metadata", "pageKind", "article", "navigation", "next"):
            assert item["page"][key] == expected[key], (name, key)
    # A 404 (http.server's own HTML) and a log file are no Next.js pages: None, and why.
    for url in urls[-2:]:
        assert items[url]["page"] is None and "not" in items[url]["error"], items[url]
    assert items[urls[-2]]["status"] == 404


def test_the_helper_parses_once_and_keeps_it() -> None:
    from scrapy.http import HtmlResponse, Request

    import next_rsc.scrapy

    body = (SITE / "post-hello.html").read_bytes()
    request = Request("https://blog.example.com/posts/hello")
    response = HtmlResponse(request.url, body=body, request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    page = next_rsc.scrapy.page(response)
    assert page is not None and page.article is not None
    assert next_rsc.scrapy.page(response) is page
    links = [link for region in page.navigation for link in region["links"]]
    assert all(link["url"].startswith("https://blog.example.com/") for link in links)
    # A meta carried on to the next request does not bring the last page along.
    about = SITE / "about.html"
    follow = Request("https://blog.example.com/about", meta=response.meta)
    next_response = HtmlResponse(follow.url, body=about.read_bytes(), request=follow,
                                 headers={"Content-Type": "text/html; charset=utf-8"})
    about_page = next_rsc.scrapy.page(next_response)
    assert about_page is not None and about_page is not page
    assert about_page.next["route"] == "/about"
    image = HtmlResponse("https://blog.example.com/a.png", body=b"\x89PNG",
                         headers={"Content-Type": "image/png"}, request=Request("https://blog.example.com/a.png"))
    assert next_rsc.scrapy.page(image) is None
    assert "image/png" in image.meta["next_rsc_error"]
    assert BIN.exists()
