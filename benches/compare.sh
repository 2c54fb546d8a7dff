#!/usr/bin/env bash
# Side by side, in one run: React 19's own decode of the 50 MB generated payload (the
# oracle's `--bench`, "React (stream + row parsing)" line) and `next-rsc tree --canonical`
# as a whole process (read, decode, resolve, write) on the same file.
# Needs Node and npm (for the oracle); the payload is generated, not committed.
set -euo pipefail
cd "$(dirname "$0")/.."
ORACLE=${ORACLE:-target/oracle}
DATA=target/bench-data
PAYLOAD=$DATA/gen-50MB.txt
if [ ! -d "$ORACLE/r19/node_modules" ]; then
  rm -rf "$ORACLE" && mkdir -p "$(dirname "$ORACLE")"
  cp -r ../shared/tools/oracle "$ORACLE" && chmod -R u+w "$ORACLE"
  (cd "$ORACLE" && bash setup.sh >/dev/null)
fi
mkdir -p "$DATA"
[ -f "$PAYLOAD" ] || node ../shared/tools/oracle/gen.mjs --size 50MB --seed 1 --out "$PAYLOAD"
cargo build --release --quiet
bytes=$(stat -c %s "$PAYLOAD")

react() {
  (cd "$ORACLE" && node --expose-gc decode.mjs --react r19 --bench 3 "$OLDPWD/$PAYLOAD") | sed -n 3p
}
ours() {
  python3 - "$PAYLOAD" "$bytes" <<'PY'
import subprocess, sys, time, statistics
path, size = sys.argv[1], int(sys.argv[2])
runs = []
for _ in range(7):
    t = time.perf_counter()
    subprocess.run(["target/release/next-rsc", "tree", "--canonical", path], stdout=subprocess.DEVNULL, check=True)
    runs.append(time.perf_counter() - t)
med = statistics.median(runs)
print(f"next-rsc tree --canonical (whole process, 7 runs): median {med*1e3:.1f} ms, min {min(runs)*1e3:.1f} ms => {size/1e6/med:.1f} MB/s median")
PY
}
react; ours; react; ours
