#!/usr/bin/env bash
# Every test of next-rsc: cargo's own, then the browser test, which opens rendered pages in
# headless Chromium (Debian's `chromium` package, installed here when it is missing).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v chromium >/dev/null 2>&1; then
    install=(apt-get install -y -qq --no-install-recommends chromium)
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
    else
        echo "test.sh: the browser test needs Chromium; install Debian's chromium package" >&2
        exit 1
    fi
fi

cargo test
cargo test --test browser -- --ignored
echo "test.sh: the browser test's pages and a screenshot are in target/browser/"
