#!/usr/bin/env bash
# Side by side, in one run: React 19's own decode of the 50 MB generated payload (the
# oracle's `--bench`, "React (stream + row parsing)" line) and next-rsc as a whole process
# on the same flight and on a 57 MB HTML page carrying it in push scripts as Next writes
# them (`benches/next_page.py`): `tree --canonical`, `extract`, `rows`, medians of 7, each
# with its ratio to React's median. Two rounds, to see the machine's noise.
# Needs Node and npm (for the oracle); the payload and the page are generated, not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ORACLE=${ORACLE:-target/oracle}
DATA=target/bench-data
PAYLOAD=$DATA/gen-50MB.txt
PAGE=$DATA/gen-50MB.html
if [ ! -d "$ORACLE/r19/node_modules" ]; then
  rm -rf "$ORACLE" && mkdir -p "$(dirname "$ORACLE")"
  cp -r ../shared/tools/oracle "$ORACLE" && chmod -R u+w "$ORACLE"
  (cd "$ORACLE" && bash setup.sh >/dev/null)
fi
mkdir -p "$DATA"
[ -f "$PAYLOAD" ] || node ../shared/tools/oracle/gen.mjs --size 50MB --seed 1 --out "$PAYLOAD"
[ -f "$PAGE" ] || python3 benches/next_page.py fixtures/nextjs/v16/post-hello.html "$PAYLOAD" "$PAGE"
cargo build --release --quiet
# FLOOR=1 adds, before next-rsc's own lines, the floor probes (benches/profiling/floor.rs):
# whole processes that only frame the rows, check the T rows' UTF-8, validate the JSON rows.
FLOOR=${FLOOR:-0}
[ "$FLOOR" = 0 ] || cargo build --profile profiling --example floor --quiet
# The page must carry exactly the payload's tree.
cmp <(target/release/next-rsc tree --canonical "$PAGE" 2>/dev/null) \
    <(target/release/next-rsc tree --canonical "$PAYLOAD" 2>/dev/null)

round() {
  local react_line
  react_line=$( (cd "$ORACLE" && node --expose-gc decode.mjs --react r19 --bench 3 "$OLDPWD/$PAYLOAD") | sed -n 3p)
  echo "$react_line"
  python3 - "$PAYLOAD" "$PAGE" "$react_line" "$FLOOR" <<'PY'
import os, re, statistics, subprocess, sys, time
payload, page, react_line, floor = sys.argv[1:5]
react_ms = float(re.search(r"median ([0-9.]+) ms", react_line).group(1))
floors = [] if floor == "0" else [(["floor", mode], payload) for mode in ("frame", "text", "validate")]
for args, path in floors + [
    (["tree", "--canonical"], payload),
    (["extract"], payload),
    (["tree", "--canonical"], page),
    (["extract"], page),
    (["rows"], page),
]:
    runs = []
    for _ in range(7):
        t = time.perf_counter()
        program = "target/profiling/examples/floor" if args[0] == "floor" else "target/release/next-rsc"
        subprocess.run([program, *args[args[0] == "floor":], path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        runs.append(time.perf_counter() - t)
    med = statistics.median(runs)
    size = os.path.getsize(path)
    name = f"{'' if args[0] == 'floor' else 'next-rsc '}{' '.join(args)} {os.path.basename(path)}"
    print(f"{name:<44} median {med*1e3:7.1f} ms => {size/1e6/med:6.1f} MB/s, {react_ms/1e3/med:4.2f}x React")
PY
}
round; round
