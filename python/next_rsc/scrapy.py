"""Scrapy integration: the parsed page of every Next.js response, for spiders.

Turn the downloader middleware on in the project's settings::

    DOWNLOADER_MIDDLEWARES = {"next_rsc.scrapy.NextRscMiddleware": 543}

(any order below 590 works: responses reach it decompressed, and after redirects.)

and each callback finds the page in ``response.meta["next_rsc"]``: a ``next_rsc.Page``, or
``None`` when the response is not a Next.js page (then ``response.meta["next_rsc_error"]``
says why)::

    def parse(self, response):
        page = response.meta["next_rsc"]
        if page is not None:
            yield {"url": response.url, "title": page.metadata.get("title"),
                   "article": page.article and page.article["text"]}

Without the middleware, ``next_rsc.scrapy.page(response)`` parses one response on demand
(and keeps the result in its meta). Pages are parsed with the response's URL, so relative
links resolve and navigation links carry absolute URLs. Bodies that cannot be a page
(images, fonts, audio, video, PDF, archives) are not parsed.

Settings: ``NEXT_RSC_BASE_PATH`` and ``NEXT_RSC_TRAILING_SLASH`` tell the site's
``basePath`` and ``trailingSlash`` when its pages do not.
"""

from __future__ import annotations

import zlib
from typing import Any, Optional

from . import Page, ParseError, parse

__all__ = ["NextRscMiddleware", "page"]

META_KEY = "next_rsc"
ERROR_KEY = "next_rsc_error"
# Which response the page in the meta was read from: a meta travels on to the requests
# made from it (`response.follow(..., meta=response.meta)`, retries), and must not bring
# its page along.
_FOR_KEY = "_next_rsc_for"

# Media types whose bodies are never a page: not worth a parse.
_NOT_PAGES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
              "application/gzip", "application/wasm", "text/css", "application/javascript",
              "text/javascript")


def _content_type(response: Any) -> str:
    value = response.headers.get(b"Content-Type") or b""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value).lower()


def page(response: Any, *, base_path: Optional[str] = None,
         trailing_slash: Optional[bool] = None) -> Optional[Page]:
    """The Next.js page a Scrapy response carries, or None (with the reason in
    ``response.meta["next_rsc_error"]``). Parsed once: the result is kept in the meta."""
    try:
        meta = response.meta
    except AttributeError:
        # A response made by hand, tied to no request: nowhere to keep the result.
        meta = {}
    return _page(response, meta, base_path, trailing_slash)


def _page(response: Any, meta: dict[str, Any], base_path: Optional[str],
          trailing_slash: Optional[bool]) -> Optional[Page]:
    key = (response.url, len(response.body), zlib.crc32(response.body))
    if META_KEY in meta and meta.get(_FOR_KEY) == key:
        found: Optional[Page] = meta[META_KEY]
        return found
    meta.pop(ERROR_KEY, None)
    result: Optional[Page] = None
    content_type = _content_type(response)
    if content_type.startswith(_NOT_PAGES):
        meta[ERROR_KEY] = f"not a page: Content-Type {content_type}"
    elif not response.body:
        meta[ERROR_KEY] = "not a page: the body is empty"
    else:
        try:
            result = parse(response.body, response.url, base_path=base_path,
                           trailing_slash=trailing_slash)
        except ParseError as error:
            meta[ERROR_KEY] = str(error)
    meta[META_KEY] = result
    meta[_FOR_KEY] = key
    return result


class NextRscMiddleware:
    """A downloader middleware that parses each response with next_rsc and puts the page
    in ``response.meta["next_rsc"]`` (None for responses that are no Next.js page)."""

    def __init__(self, base_path: Optional[str] = None,
                 trailing_slash: Optional[bool] = None) -> None:
        self.base_path = base_path
        self.trailing_slash = trailing_slash

    @classmethod
    def from_crawler(cls, crawler: Any) -> "NextRscMiddleware":
        settings = crawler.settings
        trailing = settings.get("NEXT_RSC_TRAILING_SLASH")
        return cls(
            base_path=settings.get("NEXT_RSC_BASE_PATH"),
            trailing_slash=None if trailing is None else settings.getbool("NEXT_RSC_TRAILING_SLASH"),
        )

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        # The request's meta is the response's in callbacks (response.request is not set
        # yet while downloader middlewares run).
        _page(response, request.meta, self.base_path, self.trailing_slash)
        return response
