"""Spark: read a corpus of Next.js pages in the executors, one record per page.

    from next_rsc.spark import extract_pages
    frame = extract_pages(spark, ["hdfs:///crawl/site-a", "s3a://bucket/export/"])
    frame.write.parquet("pages.parquet")

or as a job: ``spark-submit python/jobs/spark_job.py IN... --out OUT [--format parquet|json]``.
Every executor needs the package installed (a wheel cannot travel in ``--py-files``: it
holds a compiled module); on a cluster ship a packed virtual environment with
``spark.archives`` (see python/README.md).

Spark's file sources skip every file whose name starts with ``_`` or ``.`` (Next's
``__next.*.txt`` segment files, ``_not-found.html``), and whatever lies under folders so
named, and no setting turns that off. So the driver lists the inputs itself, through
Hadoop's file system (any scheme Spark can read), and hands Spark the files by name; files
whose own names start with ``_`` or ``.`` are refused by Spark even by name, and are read
on the driver and sent to the executors as bytes. Files in, records out: the job checks
that both counts agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, Optional

__all__ = ["SCHEMA_FIELDS", "extract_pages", "list_files", "main", "page_record"]

# The columns of each record, in order: where the page came from, whether it was read,
# why not, a few facts worth a column, and the whole of `next-rsc extract` as JSON text.
SCHEMA_FIELDS = [
    ("source", "string"),
    ("ok", "boolean"),
    ("error", "string"),
    ("title", "string"),
    ("route", "string"),
    ("path", "string"),
    ("build_id", "string"),
    ("kind", "string"),
    ("article_title", "string"),
    ("word_count", "long"),
    ("extraction", "string"),
]

# The error of a `.txt` file that is no flight.
_STRAY_TEXT = "not a page: a text file that is no flight"

# What a folder holds that is no page.
_PAGE_SUFFIXES = (".html", ".htm", ".txt", ".rsc", ".warc", ".warc.gz")
# The same for Spark's listing, which matches names case by case: `[hH][tT][mM][lL]` …
_PAGE_GLOB = "*.{" + ",".join(
    "".join(f"[{c.lower()}{c.upper()}]" for c in ext) for ext in ("html", "htm", "txt", "rsc", "warc", "gz")
) + "}"


def _schema() -> Any:
    from pyspark.sql.types import BooleanType, LongType, StringType, StructField, StructType

    types = {"string": StringType(), "boolean": BooleanType(), "long": LongType()}
    return StructType([StructField(name, types[kind], True) for name, kind in SCHEMA_FIELDS])


def page_record(source: str, data: bytes, url: Optional[str] = None) -> tuple[Any, ...]:
    """One record, in the order of SCHEMA_FIELDS, for the bytes of one input (`url`: the
    page's URL, for a web archive's record)."""
    import next_rsc

    try:
        page = next_rsc.parse(data, url, source=source)
    except (next_rsc.ParseError, TypeError) as error:
        why = str(error)
        if source.lower().endswith(".txt"):
            # An export holds text files that are no page (robots.txt, notes), as
            # `next-rsc archive` knows: listed, and not counted as failures.
            why = f"{_STRAY_TEXT} ({why})"
        return (source, False, why, None, None, None, None, None, None, None, None)
    extraction = page.to_json()
    facts = json.loads(extraction)
    article = facts.get("article") or {}
    nxt = facts.get("next") or {}
    return (
        source,
        True,
        None,
        facts.get("metadata", {}).get("title"),
        nxt.get("route"),
        nxt.get("path"),
        nxt.get("buildId"),
        facts.get("pageKind", {}).get("kind"),
        article.get("title"),
        article.get("wordCount"),
        extraction,
    )


def _records(rows: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    import next_rsc

    for row in rows:
        path, content = row[0], bytes(row[1])
        if path.lower().endswith((".warc", ".warc.gz")):
            for uri, body, error in next_rsc.warc_pages(content, path):
                source = f"{path}#{uri}"
                if body is None:
                    yield (source, False, error, None, None, None, None, None, None, None, None)
                else:
                    # `#2`, `#3` … tell captures of one URL apart: not part of the URL.
                    page_url = uri.split("#", 1)[0]
                    yield page_record(source, body, page_url)
        else:
            yield page_record(path, content)


def _hidden(name: str) -> bool:
    return name.startswith(("_", "."))


def list_files(spark: Any, inputs: Iterable[str]) -> list[tuple[str, str]]:
    """Every page file under the inputs (folders walked, files taken as they are), through
    Hadoop's file system so that nothing is skipped for its name: (input, file) pairs,
    sorted by file."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    found: dict[str, str] = {}
    for given in inputs:
        root = jvm.org.apache.hadoop.fs.Path(given)
        fs = root.getFileSystem(conf)
        if not fs.exists(root):
            raise FileNotFoundError(given)
        # A file named is taken whatever its name; a folder gives its pages.
        status = fs.getFileStatus(root)
        qualified = str(status.getPath().toString())
        below = [qualified] if status.isFile() else _files_below(jvm, fs, root, qualified)
        for path in below:
            if status.isFile() or path.lower().endswith(_PAGE_SUFFIXES):
                found.setdefault(path, qualified)
    return sorted(((root, path) for path, root in found.items()), key=lambda pair: pair[1])


def _files_below(jvm: Any, fs: Any, root: Any, qualified: str) -> list[str]:
    """The files below a folder, recursively, named as Spark names them. A local folder is
    walked here: Hadoop's local listing runs a process per file for its owner (4 ms a
    file). Elsewhere each call into the JVM costs a few milliseconds, so the listing comes
    back as one text (Hadoop 3.3+'s RemoteIterators gathers it; a file status prints as
    `…{path=…; isDirectory=…`); else file by file."""
    if qualified.startswith("file:"):
        import os

        top = _local(qualified)
        return [
            "file:" + os.path.join(folder, name)
            for folder, _, names in os.walk(top)
            for name in names
            if os.path.isfile(os.path.join(folder, name))
        ]
    listing = fs.listFiles(root, True)
    try:
        statuses = jvm.org.apache.hadoop.util.functional.RemoteIterators.toList(listing)
        paths = re.findall(r"FileStatus\{path=(.*?); isDirectory=", str(statuses.toString()))
        if len(paths) == statuses.size():
            return paths
        listing = fs.listFiles(root, True)
    except Exception:  # an older Hadoop: no RemoteIterators
        listing = fs.listFiles(root, True)
    paths = []
    while listing.hasNext():
        paths.append(str(listing.next().getPath().toString()))
    return paths


def _local(path: str) -> str:
    """The file system path of a `file:` path as Hadoop prints it (`file:/x`, `file:///x`)."""
    rest = path[len("file:"):]
    return "/" + rest.lstrip("/") if rest.startswith("//") else rest


def _glob_escaped(path: str) -> str:
    """A path as Hadoop's glob reads it literally (`[slug].html`, `{a,b}`)."""
    return "".join("\\" + c if c in "{}[]*?\\" else c for c in path)


def _seen_by_spark(root: str, path: str) -> bool:
    """Whether Spark's own recursive listing of the folder `root` finds `path`: no part of
    its path below the folder starts with `_` or `.`."""
    below = path[len(root):].strip("/").split("/")
    return path != root and not any(_hidden(part) for part in below)


def _read_on_driver(spark: Any, path: str) -> bytes:
    if path.startswith("file:"):
        # A local file (local mode, or a shared mount): read here, not through the JVM.
        # Spark's paths are not URL-encoded: `#` and `%` are part of the name.
        with open(_local(path), "rb") as file:
            return file.read()
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    stream = hpath.getFileSystem(conf).open(hpath)
    try:
        return bytes(jvm.org.apache.commons.io.IOUtils.toByteArray(stream))
    finally:
        stream.close()


def extract_pages(spark: Any, inputs: Iterable[str], partitions: Optional[int] = None) -> Any:
    """A DataFrame of one record per page (SCHEMA_FIELDS) of every page file under the
    inputs: HTML pages, flights, and the HTML and flight responses of web archives."""
    files = list_files(spark, inputs)
    # Spark reads the folders itself, on the executors; what its listing skips is named.
    by_spark: list[str] = []
    by_name: list[str] = []
    by_driver: list[str] = []
    for root, path in files:
        if _seen_by_spark(root, path):
            by_spark.append(path)
        elif not _hidden(path.rsplit("/", 1)[-1]):
            by_name.append(path)
        else:
            by_driver.append(path)
    folders = sorted({root for root, path in files if path != root})
    wanted = set(by_spark)
    reader = spark.read.format("binaryFile")
    sources = []
    if by_spark:
        found = (
            reader.option("recursiveFileLookup", "true")
            .option("pathGlobFilter", _PAGE_GLOB)
            .load([_glob_escaped(f) for f in folders])
            .select("path", "content")
        )
        # What else the folders hold, and files also given by name, are not read twice.
        sources.append(found.rdd.filter(lambda row: row[0] in wanted))
    if by_name:
        # Explicit files (below folders Spark skips): listed on the driver, not by a job
        # of a task per file, as Spark would past 32 paths.
        key = "spark.sql.sources.parallelPartitionDiscovery.threshold"
        before = spark.conf.get(key, None)
        spark.conf.set(key, str(len(by_name) + 1))
        try:
            escaped = [_glob_escaped(p) for p in by_name]
            sources.append(reader.load(escaped).select("path", "content").rdd)
        finally:
            if before is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, before)
    if by_driver:
        # Spark refuses these even by name.
        pairs = [(p, bytearray(_read_on_driver(spark, p))) for p in by_driver]
        sources.append(spark.sparkContext.parallelize(pairs, max(1, min(len(pairs) // 64, 64))))
    if not sources:
        return spark.createDataFrame([], _schema())
    rdd = sources[0] if len(sources) == 1 else spark.sparkContext.union(sources)
    if partitions:
        rdd = rdd.repartition(partitions)
    return spark.createDataFrame(rdd.mapPartitions(_records), _schema())


def main(argv: Optional[list[str]] = None) -> int:
    """spark-submit python/jobs/spark_job.py IN... --out OUT [--format parquet|json]."""
    import argparse

    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(
        prog="spark_job.py",
        description="Reads every Next.js page under the inputs (folders, files, web archives; "
        "any file system Spark reads) and writes one record per page.",
    )
    parser.add_argument("inputs", nargs="+", help="folders or files: file:, hdfs:, s3a: …")
    parser.add_argument("--out", required=True, help="where to write the records")
    parser.add_argument("--format", choices=["parquet", "json"], default="parquet",
                        help="Parquet, or JSON Lines (default: parquet)")
    parser.add_argument("--partitions", type=int, default=None,
                        help="spread the pages over this many tasks")
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("next-rsc extract").getOrCreate()
    files = list_files(spark, args.inputs)
    frame = extract_pages(spark, args.inputs, args.partitions).cache()
    writer = frame.write.mode("errorifexists")
    (writer.parquet if args.format == "parquet" else writer.json)(args.out)
    records = frame.count()
    pages = frame.filter(
        "lower(source) NOT LIKE '%.warc#%' AND lower(source) NOT LIKE '%.warc.gz#%'"
    ).count()
    failed = frame.filter(f"NOT ok AND NOT coalesce(error, '') LIKE '{_STRAY_TEXT}%'").count()
    plain = [f for _, f in files if not f.lower().endswith((".warc", ".warc.gz"))]
    print(f"next-rsc: {len(files)} files in, {records} records out ({failed} not pages) -> {args.out}")
    spark.stop()
    if pages != len(plain):
        print(f"next-rsc: {len(plain)} page files but {pages} records of them", flush=True)
        return 2
    return 1 if failed else 0
