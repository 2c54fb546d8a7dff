"""`next-rsc crawl --warc` on a real Next 16 static export (basePath /fieldnotes,
trailingSlash) served by a plain static file server that compresses and chunks as
`next start` does: every route's right title, and a WARC that warcio, the standard
reader, checks and reads back to the files served, one response per page.
Nothing here reaches beyond 127.0.0.1."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from test_next_rsc import BIN, ROOT

PATTERNS = ROOT / "fixtures" / "patterns"
EXPORT = PATTERNS / "v16-base"
BASE_PATH = "/fieldnotes"


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as a static host serves an export: `/docs/` is `docs/index.html`, `/docs` is
    redirected there, what is missing is the export's 404.html with status 404. Bodies
    are gzip-compressed and chunked, on connections kept alive."""

    protocol_version = "HTTP/1.1"
    served: dict[str, Path] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(BASE_PATH + "/") and path != BASE_PATH:
            return self.answer(404, EXPORT / "404.html", path)
        relative = path[len(BASE_PATH):].lstrip("/")
        target = (EXPORT / relative).resolve()
        if EXPORT.resolve() not in target.parents and target != EXPORT.resolve():
            return self.answer(404, EXPORT / "404.html", path)
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if target.is_file():
            return self.answer(200, target, path)
        return self.answer(404, EXPORT / "404.html", path)

    def answer(self, status: int, file: Path, path: str) -> None:
        body = gzip.compress(file.read_bytes())
        kind = "text/html; charset=utf-8" if file.suffix == ".html" else "text/plain; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for at in range(0, len(body), 1000):
            chunk = body[at:at + 1000]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")
        StaticHost.served[path] = file


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StaticHost)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_static_export_crawled_into_a_warc(host: str, tmp_path: Path) -> None:
    out, warc = tmp_path / "site", tmp_path / "site.warc.gz"
    run = subprocess.run([str(BIN), "crawl", f"{host}{BASE_PATH}/", "-o", str(out), "--warc", str(warc)],
                         capture_output=True, check=False, timeout=600)
    stderr = run.stderr.decode()
    records = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    pages = {r["url"]: r for r in records if r["ok"]}
    assert run.returncode == 0, stderr

    # Every route of the export (its not-found pages aside: nothing links them), with its
    # title, and nothing else.
    truth = json.loads((PATTERNS / "truth.json").read_text())["routes"]
    routes = {f"{host}{BASE_PATH}{r['route']}": r for r in truth if r["route"] not in ("/404", "/_not-found")}
    assert set(pages) == set(routes), set(pages) ^ set(routes)
    assert len(records) == len(pages)
    for url, route in routes.items():
        assert pages[url]["title"] in (route["documentTitle"], route["articleTitle"]), (url, pages[url])

    # warcio checks every digest, and reads one response per page, holding what was served.
    check = subprocess.run([str(Path(os.sys.executable).with_name("warcio")), "check", str(warc)],
                           capture_output=True, check=False)
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    responses: dict[str, list[bytes]] = {}
    requests: set[str] = set()
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response":
                if uri in pages:
                    assert record.http_headers.get_header("Content-Encoding") == "gzip"
                    assert record.http_headers.get_header("Transfer-Encoding") == "chunked"
                responses.setdefault(uri, []).append(record.content_stream().read())
            elif record.rec_type == "request":
                requests.add(uri)
    for url in pages:
        assert len(responses.get(url, [])) == 1, url
        assert url in requests, url
        path = url[len(host):]
        assert responses[url][0] == StaticHost.served[path].read_bytes(), url
    assert f"{host}/robots.txt" in responses


def test_a_static_export_crawled_by_its_flights(host: str, tmp_path: Path) -> None:
    """--flight on a static host: each page's flight is the export's `.txt` beside it, and
    gives the same pages and titles as the HTML."""
    runs = {}
    for name, extra in (("html", []), ("flight", ["--flight"])):
        out = tmp_path / name
        run = subprocess.run([str(BIN), "crawl", f"{host}{BASE_PATH}/", "-o", str(out), *extra],
                             capture_output=True, check=False, timeout=600)
        assert run.returncode == 0, run.stderr.decode()
        records = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
        runs[name] = {r["url"]: r["title"] for r in records if r["ok"]}
    assert runs["flight"] == runs["html"]
    assert len(runs["flight"]) >= 30
    served = {path for path in StaticHost.served if path.endswith(".txt")}
    assert len(served) >= 30, served
