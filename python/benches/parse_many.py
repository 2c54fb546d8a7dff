"""parse_many on one thread and on two, over the fixtures' pages and flights eight times:
`python python/benches/parse_many.py` from the repository's root, the package installed."""

import sys, time, statistics
from pathlib import Path
import next_rsc
paths = [p for d in ["fixtures/nextjs", "fixtures/sites"] for p in sorted(Path(d).rglob("*")) if p.suffix in {".html", ".txt", ".rsc"}]
datas = [p.read_bytes() for p in paths] * 8
mb = sum(map(len, datas)) / 1e6
for round_ in range(2):
    for threads in (1, 2):
        runs = []
        for _ in range(5):
            t = time.perf_counter(); next_rsc.parse_many(datas, threads=threads, errors="return"); runs.append(time.perf_counter() - t)
        m = statistics.median(runs)
        print(f"parse_many threads={threads}: {len(datas)} inputs, {mb:.1f} MB, median {m*1e3:.0f} ms => {len(datas)/m:.0f} pages/s")
