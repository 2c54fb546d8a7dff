"""Pages per second on one machine: the Spark job's reading (next_rsc.spark.extract_pages,
local[2], the session already started) against `next-rsc archive --jsonl --threads 2` and
`archive -o` on the same folder (fixtures/nextjs and fixtures/sites copied four times).

    python python/benches/spark_vs_archive.py target/release/next-rsc
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/next-rsc"
work = Path(tempfile.mkdtemp(prefix="next-rsc-bench-"))
corpus = work / "corpus"
for copy in range(4):
    for folder in ("nextjs", "sites"):
        shutil.copytree(Path("fixtures") / folder, corpus / f"c{copy}" / folder)


def median_of(runs: int, job) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


from pyspark.sql import SparkSession  # noqa: E402

from next_rsc.spark import extract_pages  # noqa: E402

spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.ui.showConsoleProgress", "false").getOrCreate())
records = extract_pages(spark, [str(corpus)]).count()
spark_s = median_of(3, lambda: extract_pages(spark, [str(corpus)]).count())
spark.stop()
jsonl = subprocess.run([binary, "archive", str(corpus), "--jsonl", "--threads", "2"],
                       capture_output=True, check=False).stdout.count(b"\n")
jsonl_s = median_of(5, lambda: subprocess.run([binary, "archive", str(corpus), "--jsonl", "--threads", "2"],
                                              capture_output=True, check=False))


def archive() -> None:
    shutil.rmtree(work / "out", ignore_errors=True)
    subprocess.run([binary, "archive", str(corpus), "-o", str(work / "out"), "--threads", "2"],
                   capture_output=True, check=False)


archive_s = median_of(5, archive)
print(f"Spark local[2], extract_pages().count(): {records} records, median {spark_s:.2f} s => {records / spark_s:.0f} pages/s")
print(f"next-rsc archive --jsonl --threads 2:   {jsonl} records, median {jsonl_s:.2f} s => {jsonl / jsonl_s:.0f} pages/s")
print(f"next-rsc archive -o OUT --threads 2:     median {archive_s:.2f} s")
shutil.rmtree(work)
