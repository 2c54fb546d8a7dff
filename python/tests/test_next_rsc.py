"""The Python package against the command line it binds: on every fixture page and flight,
the same extraction, HTML, Markdown, tree and queries, byte for byte; and what it does with
bytes that are no page.

Run by test.sh after `pip install ./python`; the command line is NEXT_RSC_BIN (default:
target/debug/next-rsc, which `cargo test` builds).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import next_rsc

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("NEXT_RSC_BIN", ROOT / "target" / "debug" / "next-rsc"))
FOLDERS = ["seed", "edge", "nextjs", "sites"]
SUFFIXES = {".html", ".txt", ".rsc"}


def fixture_inputs() -> list[str]:
    """Every page and flight of the fixtures that read as pages, as paths relative to ROOT."""
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / "fixtures" / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                found.append(str(path.relative_to(ROOT)))
    return found


INPUTS = fixture_inputs()


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(BIN), *args], cwd=ROOT, capture_output=True, check=False)


def read(relative: str) -> bytes:
    return (ROOT / relative).read_bytes()


@pytest.fixture(scope="module")
def cli_outputs() -> dict[str, dict[str, subprocess.CompletedProcess[bytes]]]:
    """The command line's extract, html, html --safe and markdown of every input, run on
    every processor at once."""
    assert BIN.exists(), f"{BIN}: build it with `cargo build` or set NEXT_RSC_BIN"
    commands = {
        "extract": ["extract"],
        "html": ["html"],
        "safe": ["html", "--safe"],
        "markdown": ["markdown"],
        "tree": ["tree", "--canonical"],
    }
    jobs = [(path, name, args) for path in INPUTS for name, args in commands.items()]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        done = list(pool.map(lambda job: cli(*job[2], job[0]), jobs))
    outputs: dict[str, dict[str, subprocess.CompletedProcess[bytes]]] = {}
    for (path, name, _), result in zip(jobs, done):
        outputs.setdefault(path, {})[name] = result
    return outputs


def test_the_fixtures_are_there() -> None:
    # Seed, edge cases, the blog app of Next 13-16 and the real sites.
    assert len(INPUTS) > 250, INPUTS


def test_parse_equals_the_command_line_on_every_fixture(cli_outputs) -> None:  # type: ignore[no-untyped-def]
    pages = refused = 0
    for path in INPUTS:
        out = cli_outputs[path]
        data = read(path)
        if out["extract"].returncode == 2:
            # The command line refuses it (empty input, no flight): so does the package.
            with pytest.raises(next_rsc.ParseError):
                next_rsc.parse(data, source=path)
            refused += 1
            continue
        page = next_rsc.parse(data, source=path)
        pages += 1
        assert (page.to_json() + "\n").encode() == out["extract"].stdout, path
        assert page.to_dict() == json.loads(out["extract"].stdout), path
        extraction = page.to_dict()
        assert page.metadata == extraction["metadata"], path
        assert page.article == extraction["article"], path
        assert page.navigation == extraction["navigation"], path
        assert page.next == extraction["next"], path
        assert page.kind == extraction["pageKind"], path
        assert page.diagnostics == extraction["diagnostics"], path
        # HTML, safe HTML, Markdown: what the command line writes, or the same refusal.
        for name, safe in [("html", False), ("safe", True)]:
            if out[name].returncode == 0:
                assert page.to_html(safe=safe).encode() == out[name].stdout, (path, name)
            else:
                with pytest.raises(ValueError):
                    page.to_html(safe=safe)
        markdown = page.to_markdown()
        if out["markdown"].returncode == 0:
            assert markdown is not None and markdown.encode() == out["markdown"].stdout, path
        else:
            assert markdown is None, path
        if out["tree"].returncode in (0, 1):
            assert page.tree() == json.loads(out["tree"].stdout), path
    assert pages > 240 and refused >= 1, (pages, refused)


def test_safe_html_has_no_script() -> None:
    for path in INPUTS:
        try:
            page = next_rsc.parse(read(path))
        except next_rsc.ParseError:
            continue
        try:
            html = page.to_html(safe=True)
        except ValueError:
            continue
        assert "<script" not in html.lower(), path


QUERIES: list[tuple[list[str], dict[str, object]]] = [
    (["--type", "a"], {"type": "a"}),
    (["--type", "Link"], {"type": "Link"}),
    (["--keys", "href"], {"keys": ["href"]}),
    (["--text", "the", "-i"], {"text": "the", "ignore_case": True}),
    (["--text", "20[0-9][0-9]", "--regex"], {"regex": "20[0-9][0-9]"}),
    (["--client"], {"client": True}),
    (["--urls"], {"urls": True}),
]


@pytest.mark.parametrize("path", [p for p in INPUTS if p.startswith("fixtures/nextjs/v1") and "/build/" not in p][:30])
def test_find_and_get_equal_the_command_line(path: str) -> None:
    try:
        page = next_rsc.parse(read(path))
    except next_rsc.ParseError:
        pytest.skip("not a page (the fixtures' notes and logs)")
    for args, kwargs in QUERIES:
        out = cli("find", *args, path)
        # Lines end at "\n" only: a value may hold U+2028, which splitlines() would cut at.
        expected = [json.loads(line) for line in out.stdout.decode().split("\n") if line]
        found = page.find(**kwargs)  # type: ignore[arg-type]
        assert found == expected, (path, args)
        # --client and --urls give a summary of what is there (module and props, a
        # resolved URL), not the value itself.
        for match in found[:5] if not {"client", "urls"} & kwargs.keys() else []:
            assert page.get(match["path"]) == match["value"]
            printed = cli("get", match["path"], path)
            assert json.loads(printed.stdout) == match["value"]


def test_find_wants_one_selector() -> None:
    page = next_rsc.parse(read("fixtures/nextjs/v16/post-hello.html"))
    with pytest.raises(TypeError, match="exactly one"):
        page.find()
    with pytest.raises(TypeError, match="exactly one"):
        page.find(type="a", keys=["href"])
    with pytest.raises(ValueError):
        page.find(regex="(")


def test_get_says_what_is_missing() -> None:
    page = next_rsc.parse(read("fixtures/nextjs/v16/post-hello.html"))
    assert page.get("/root") == page.tree()["root"]
    with pytest.raises(KeyError, match="no such key"):
        page.get("/root/nothing-here")
    with pytest.raises(ValueError, match="JSON pointer"):
        page.get("root")


def test_diff_equals_the_command_line() -> None:
    old, new = "fixtures/nextjs/v16/post-hello.html", "fixtures/nextjs/v16/special.html"
    ops = next_rsc.parse(read(old)).diff(next_rsc.parse(read(new)))
    printed = cli("diff", old, new)
    assert ops == json.loads(printed.stdout)
    assert ops, "two different posts differ"


def test_options_reach_the_page() -> None:
    path, url = "fixtures/nextjs/v16/post-hello.html", "https://blog.example.com/posts/hello"
    page = next_rsc.parse(read(path), url=url, source=path)
    assert page.to_json().encode() + b"\n" == cli("extract", "--url", url, path).stdout
    links = [link for region in page.navigation for link in region["links"]]
    assert links and all(link["url"].startswith("https://blog.example.com/") for link in links)
    based = next_rsc.parse(read(path), base_path="/blog", trailing_slash=True, source=path)
    printed = cli("extract", "--base-path", "/blog", "--trailing-slash", "true", path)
    assert based.to_json().encode() + b"\n" == printed.stdout
    assert based.to_json() != next_rsc.parse(read(path), source=path).to_json()


def test_inputs_that_are_no_page_raise_parse_error() -> None:
    for data in [b"", b"   \n", b"<html><body>hello</body></html>", b"\x00\xff\xfe garbage", b"{}"]:
        with pytest.raises(next_rsc.ParseError):
            next_rsc.parse(data)
    assert issubclass(next_rsc.ParseError, ValueError)


def test_a_str_is_a_type_error_that_says_what_to_do() -> None:
    with pytest.raises(TypeError, match="bytes, not str"):
        next_rsc.parse(read("fixtures/seed/000_7b5ef04b44413318.txt").decode())
    for wrong in [None, 42, ["0:1\n"]]:
        with pytest.raises(TypeError):
            next_rsc.parse(wrong)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_are_bytes_too() -> None:
    data = read("fixtures/seed/000_7b5ef04b44413318.txt")
    expected = next_rsc.parse(data).to_json()
    assert next_rsc.parse(bytearray(data)).to_json() == expected
    assert next_rsc.parse(memoryview(data)).to_json() == expected


def test_damaged_pages_never_crash_the_interpreter() -> None:
    # Every cut and every flipped byte of two real pages: a page with diagnostics, or a
    # ParseError; nothing else.
    for path in ["fixtures/seed/000_7b5ef04b44413318.txt", "fixtures/nextjs/v15/post-hello.html"]:
        data = read(path)
        step = max(1, len(data) // 150)
        for at in range(0, len(data), step):
            for damaged in (data[:at], data[:at] + b"\xff" + data[at + 1 :], data[:at] + b"\n" + data[at:]):
                try:
                    page = next_rsc.parse(damaged)
                except next_rsc.ParseError:
                    continue
                page.to_dict()
                page.to_markdown()
                try:
                    page.to_html(safe=True)
                except ValueError:
                    pass


def test_parse_many_keeps_input_order_and_reports_bad_inputs() -> None:
    paths = INPUTS[:60]
    datas = [read(p) for p in paths]
    one_by_one = []
    for data in datas:
        try:
            one_by_one.append(next_rsc.parse(data).to_json())
        except next_rsc.ParseError:
            one_by_one.append(None)
    for threads in (1, 2, None):
        got = next_rsc.parse_many(datas, threads=threads, errors="return")
        assert [p.to_json() if isinstance(p, next_rsc.Page) else None for p in got] == one_by_one
        assert all(isinstance(p, (next_rsc.Page, next_rsc.ParseError)) for p in got)
    with pytest.raises(next_rsc.ParseError, match="input 1:"):
        next_rsc.parse_many([datas[0], b"", datas[0]])
    with pytest.raises(TypeError):
        next_rsc.parse_many(datas[0])
    with pytest.raises(ValueError):
        next_rsc.parse_many(datas, threads=0)
    with pytest.raises(ValueError):
        next_rsc.parse_many(datas, errors="ignore")  # type: ignore[call-overload]
    assert next_rsc.parse_many([]) == []


def test_parse_releases_the_gil() -> None:
    # While one thread parses a big page, another runs Python code: it would wait for the
    # whole parse if the GIL were held (a count, not a timing).
    rows = b"".join(b"%x:" % (i + 1) + json.dumps({"text": "x" * 200, "n": i}).encode() + b"\n" for i in range(60_000))
    payload = rows + b"0:" + json.dumps(["$%x" % (i + 1) for i in range(60_000)]).encode() + b"\n"
    ticks = 0
    done = threading.Event()

    def parse() -> None:
        next_rsc.parse(payload)
        done.set()

    worker = threading.Thread(target=parse)
    worker.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.0005)
    worker.join()
    assert ticks > 3, ticks


def test_repr_names_the_page() -> None:
    page = next_rsc.parse(read("fixtures/nextjs/v16/post-hello.html"))
    assert repr(page).startswith('<next_rsc.Page title="Hello, World')
    assert next_rsc.__version__


def test_the_pandas_recipe_of_the_readme() -> None:
    import pandas as pd

    pages = [p for p in next_rsc.parse_many([read(p) for p in INPUTS], errors="return") if isinstance(p, next_rsc.Page)]
    frame = pd.json_normalize([p.to_dict() for p in pages])
    assert len(frame) == len(pages)
    assert list(frame["metadata.title"].fillna("")) == [p.metadata.get("title") or "" for p in pages]
    assert list(frame["next.route"].fillna("")) == [p.next.get("route") or "" for p in pages]
    assert set(frame["pageKind.kind"]) <= {"article", "list", "home", "docs", "error", "other"}
    columns = ["metadata.title", "next.route", "pageKind.kind", "article.wordCount"]
    assert list(frame.reindex(columns=columns).columns) == columns
    # The README's recipe holds on a batch without any article too.
    no_articles = [p for p in pages if p.article is None][:3]
    assert list(pd.json_normalize([p.to_dict() for p in no_articles]).reindex(columns=columns).columns) == columns
    words = frame["article.wordCount"].dropna()
    assert len(words) == sum(p.article is not None for p in pages) and (words > 0).all()


def test_hostile_nesting_is_a_value_error_not_a_crash() -> None:
    deep = b"0:" + b'["$","div",null,{"children":' * 3000 + b"null" + b"}]" * 3000 + b"\n"
    page = next_rsc.parse(deep)
    with pytest.raises(ValueError):
        page.find(type="div")
    with pytest.raises(ValueError, match="tree_json"):
        page.tree()
    assert page.tree_json().startswith('{"hints":[]')


def test_parse_many_survives_a_fork_and_bounds_threads() -> None:
    import multiprocessing

    datas = [read(p) for p in INPUTS[:8]]
    next_rsc.parse_many(datas)
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        counted = pool.apply_async(_parse_count, (datas,)).get(timeout=60)
    assert counted == len(datas)
    assert len(next_rsc.parse_many(datas, threads=10**9, errors="return")) == len(datas)
    with pytest.raises((ValueError, OverflowError)):
        next_rsc.parse_many(datas, threads=-1)


def _parse_count(datas: list[bytes]) -> int:
    return len(next_rsc.parse_many(datas, errors="return"))


def test_options_that_cannot_go_together_say_so() -> None:
    page = next_rsc.parse(read("fixtures/nextjs/v16/post-hello.html"), "https://blog.example.com/posts/hello")
    with pytest.raises(ValueError, match="scripts"):
        page.to_html(safe=True, scripts=True)
    with pytest.raises(TypeError, match="urls=True"):
        page.find(type="a", base="https://x.example/")
    # urls=True resolves against the URL the page was parsed with.
    urls = [m["value"] for m in page.find(urls=True)]
    assert urls and all(u.startswith(("https://", "http://", "data:")) for u in urls)
