"""A user's script, as `mypy --strict` must accept it (test.sh runs mypy on it); it also
runs, on the fixture pages given as arguments."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import next_rsc
import next_rsc.scrapy
from next_rsc import Page, ParseError


def titles(paths: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in paths:
        try:
            page: Page = next_rsc.parse(Path(path).read_bytes(), source=path)
        except ParseError as error:
            print(f"{path}: {error}", file=sys.stderr)
            continue
        metadata: dict[str, Any] = page.metadata
        title = metadata.get("title")
        found[path] = title if isinstance(title, str) else None
        markdown: str | None = page.to_markdown()
        if markdown is not None:
            assert markdown.startswith("---")
        links: list[dict[str, Any]] = page.find(type="Link")
        assert all("path" in link for link in links)
    return found


def from_scrapy(response: Any) -> str | None:
    page = next_rsc.scrapy.page(response)
    return None if page is None else page.to_json()


def batch(paths: list[str]) -> list[Page | ParseError]:
    datas = [Path(p).read_bytes() for p in paths]
    strict: list[Page] = next_rsc.parse_many(datas, threads=2)
    assert len(strict) == len(datas)
    return next_rsc.parse_many(datas, errors="return")


if __name__ == "__main__":
    print(titles(sys.argv[1:]))
    print(len(batch(sys.argv[1:])))
