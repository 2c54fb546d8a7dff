#!/usr/bin/env bash
# Every test of next-rsc: cargo's own, then the browser test, which opens rendered pages in
# headless Chromium (Debian's `chromium` package, installed here when it is missing), then
# the crawler against a real Next.js server (Node.js 20+ and npm; Next from npm), then
# the Python package's (Python 3.9+ with venv and pip; the packages, pyspark included, come
# from PyPI; Spark needs Java, Debian's default-jre-headless when it is missing).
set -euo pipefail
cd "$(dirname "$0")"

# Chromium, Java (for Spark), Python with venv, and fonts with Chinese, Japanese and Korean
# letters and with emoji for the screenshot (the fixtures' pages have both; without them the
# test still runs).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)  # for the Spark test
# The Python package's tests run in a virtual environment of their own.
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3 python3-venv)
[ -n "$(fc-list :lang=ko 2>/dev/null)" ] || missing+=(fonts-wqy-zenhei)
fc-list 2>/dev/null | grep -qi emoji || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
    install=(apt-get install -y -qq --no-install-recommends "${missing[@]}")
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
    elif ! command -v chromium >/dev/null 2>&1; then
        echo "test.sh: the browser test needs Chromium; install Debian's chromium package" >&2
        exit 1
    else
        echo "test.sh: no root to install ${missing[*]}; the screenshot may show boxes" >&2
    fi
fi

cargo test
cargo test --test browser -- --ignored
echo "test.sh: the browser test's pages and a screenshot are in target/browser/"

# The crawler against real Next.js servers: the fixture apps (fixtures/crawl-app, Next 16;
# fixtures/crawl-app-15, Next 15, written apart from the crawler), their packages from
# npm, built once and started with `next start` on 127.0.0.1.
command -v npm >/dev/null 2>&1 || { echo "test.sh: the crawler's test needs Node.js 20+ with npm" >&2; exit 1; }
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true' EXIT
# Builds and starts an app; prints its URL.
start_app() {
    local app=$1 port
    (cd "$app" && npm ci --no-audit --no-fund --loglevel=error >/dev/null \
        && NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build >/dev/null) >&2
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$app" && NEXT_TELEMETRY_DISABLED=1 exec node node_modules/next/dist/bin/next start -p "$port" -H 127.0.0.1) \
        > "target/next-start-$(basename "$app").log" 2>&1 &
    echo "$! http://127.0.0.1:$port"
}
wait_for() {
    local port=${1##*:}
    for _ in $(seq 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.2; done
}
read -r pid16 url16 < <(start_app fixtures/crawl-app)
servers+=("$pid16")
read -r pid15 url15 < <(start_app fixtures/crawl-app-15)
servers+=("$pid15")
[ -n "${url16:-}" ] && [ -n "${url15:-}" ] || { echo "test.sh: a fixture app did not build" >&2; exit 1; }
wait_for "$url16"
wait_for "$url15"
NEXT_SERVER_URL="$url16" NEXT15_SERVER_URL="$url15" cargo test --test next_server -- --ignored
kill "${servers[@]}" 2>/dev/null || true

# The Python package (python/): installed the way its README says (pip builds it with
# maturin) into a virtual environment of its own, then its tests against the command line
# that `cargo test` built, and mypy --strict on a user's script.
venv=target/python-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check pytest mypy pandas scrapy pyspark warcio
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python
# From target/, so that the package found is the installed one, not python/next_rsc.
# Spark runs in local mode on the loopback address (the host name may not resolve).
(cd target && NEXT_RSC_BIN="$PWD/debug/next-rsc" SPARK_LOCAL_IP=127.0.0.1 \
    "../$venv/bin/python" -m pytest -q ../python/tests)
(cd target && "../$venv/bin/python" -m mypy --strict --no-incremental ../python/tests/typed_user.py)
(cd target && "../$venv/bin/python" -m mypy --strict --no-incremental -p next_rsc)
