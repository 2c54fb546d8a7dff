"""next_rsc.spark in a local Spark (pyspark from PyPI, Java on the machine): a real static
export (whose `__next.*` and `_not-found` files Spark's own listing skips), HTML pages and
a web archive give one record per page, each with the command line's title; the job runs
through spark-submit; and the command line's `--jsonl` path works as an RDD.pipe stage."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_next_rsc import BIN, ROOT, cli

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

V16 = ROOT / "fixtures" / "nextjs" / "v16"


def warc_record(uri: str, block: bytes, kind: str = "response") -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
        f"WARC-Date: 2026-12-03T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:{abs(hash(uri)) % 10**8:08d}-0000-4000-8000-000000000000>\r\n"
        f"Content-Type: application/http; msgtype={kind}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(V16 / "export", root / "export")
    (root / "pages").mkdir()
    for page in sorted(V16.glob("*.html")):
        shutil.copy(page, root / "pages" / page.name)
    shutil.copy(V16 / "not-found.html", root / "pages" / "_not-found.html")
    (root / "pages" / ".drafts").mkdir()
    shutil.copy(V16 / "about.html", root / "pages" / ".drafts" / "about.html")
    html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + (V16 / "post-hello.html").read_bytes()
    flight = b"HTTP/1.1 200 OK\r\nContent-Type: text/x-component\r\n\r\n" + (V16 / "about.rsc").read_bytes()
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    warc = (
        warc_record("https://blog.example.com/posts/hello", html)
        + warc_record("https://blog.example.com/logo.png", image)
        + warc_record("https://blog.example.com/about", flight)
    )
    (root / "crawl.warc.gz").write_bytes(gzip.compress(warc))
    return root


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("next-rsc test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    yield session
    session.stop()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def cli_title(path: Path) -> object:
    printed = cli("extract", str(path))
    if printed.returncode == 2:
        return "refused"
    return json.loads(printed.stdout)["metadata"].get("title")


def test_every_file_gives_a_record_with_the_command_lines_title(spark: object, corpus: Path) -> None:
    from next_rsc.spark import extract_pages

    rows = extract_pages(spark, [str(corpus)]).collect()
    files = files_under(corpus)
    plain = [f for f in files if not f.name.endswith(".warc.gz")]
    hidden = [f for f in plain if any(part.startswith(("_", ".")) for part in f.relative_to(corpus).parts)]
    assert len(hidden) >= 20, "the export's __next.* files, _not-found, .drafts/"
    by_source = {row["source"]: row for row in rows}
    assert len(by_source) == len(rows)
    page_rows = {s: r for s, r in by_source.items() if ".warc.gz#" not in s}
    assert sorted(page_rows) == sorted(f"file:{f}" for f in plain)
    for path in plain:
        row = page_rows[f"file:{path}"]
        expected = cli_title(path)
        if expected == "refused":
            assert not row["ok"] and row["error"], path
        else:
            assert row["ok"] and row["title"] == expected, (path, row["error"])
            whole = json.loads(row["extraction"])
            assert whole["metadata"].get("title") == expected
    # The web archive: its two pages, not the image.
    warc_rows = sorted(s for s in by_source if ".warc.gz#" in s)
    assert [s.split("#", 1)[1] for s in warc_rows] == [
        "https://blog.example.com/about",
        "https://blog.example.com/posts/hello",
    ]
    assert by_source[warc_rows[1]]["title"] == cli_title(V16 / "post-hello.html")
    assert by_source[warc_rows[0]]["route"] == json.loads(cli("extract", str(V16 / "about.rsc")).stdout)["next"]["route"]


def test_the_job_runs_under_spark_submit(corpus: Path, tmp_path: Path) -> None:
    submit = Path(sys.executable).with_name("spark-submit")
    out = tmp_path / "records"
    job = ROOT / "python" / "jobs" / "spark_job.py"
    run = subprocess.run(
        [str(submit), "--master", "local[2]", "--conf", "spark.ui.enabled=false", str(job),
         str(corpus / "export"), str(corpus / "pages"), "--out", str(out), "--format", "json"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    # Every file is a page, or a text file that is no flight (OUT-FILES.txt): exit 0.
    assert run.returncode == 0, run.stderr[-3000:]
    records = [json.loads(line) for part in sorted(out.glob("part-*")) for line in part.read_text().split("\n") if line]
    files = [f for f in files_under(corpus / "export") + files_under(corpus / "pages")]
    assert len(records) == len(files)
    assert f"{len(files)} files in, {len(files)} records out" in run.stdout
    titles = {r["source"]: r.get("title") for r in records}
    assert titles[f"file:{corpus / 'pages' / 'post-hello.html'}"] == cli_title(V16 / "post-hello.html")


def test_the_command_line_as_a_pipe_stage(spark: object, corpus: Path) -> None:
    # Each task's paths go to one next-rsc process on its standard input (through xargs);
    # each process writes whole records to its own pipe: nothing mixes.
    paths = [str(f) for f in files_under(corpus / "pages")]
    context = spark.sparkContext  # type: ignore[attr-defined]
    lines = context.parallelize(paths, 3).pipe(f"xargs {BIN} archive --jsonl --threads 1").collect()
    records = [json.loads(line) for line in lines]
    assert sorted(r["source"] for r in records) == sorted(paths)
    for record in records:
        expected = cli_title(Path(record["source"]))
        if record["ok"]:
            assert record["metadata"].get("title") == expected, record["source"]


def test_the_records_round_trip_through_parquet(spark: object, corpus: Path, tmp_path: Path) -> None:
    from next_rsc.spark import SCHEMA_FIELDS, extract_pages

    frame = extract_pages(spark, [str(corpus / "pages")])
    frame.write.parquet(str(tmp_path / "pages.parquet"))
    back = spark.read.parquet(str(tmp_path / "pages.parquet"))  # type: ignore[attr-defined]
    assert back.columns == [name for name, _ in SCHEMA_FIELDS]
    rows = {row["source"]: row for row in back.collect()}
    assert len(rows) == len(files_under(corpus / "pages"))
    hello = rows[f"file:{corpus / 'pages' / 'post-hello.html'}"]
    assert hello["ok"] and hello["title"] == cli_title(V16 / "post-hello.html")
    assert hello["kind"] == "article" and hello["word_count"] > 100
