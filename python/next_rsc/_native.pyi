from collections.abc import Iterable, Sequence
from typing import Any, Literal, Union, overload

_Bytes = Union[bytes, bytearray, memoryview]

__version__: str

class ParseError(ValueError):
    """The bytes are not a page next-rsc can read."""

class Page:
    """A page, read: metadata, article, navigation, Next.js facts, diagnostics, tree."""

    @property
    def metadata(self) -> dict[str, Any]:
        """Title, description, canonical URL, Open Graph, Twitter, icons, JSON-LD, head tags."""
    @property
    def article(self) -> dict[str, Any] | None:
        """The article (title, published, author, tags, text, html, wordCount …), or None."""
    @property
    def navigation(self) -> list[dict[str, Any]]:
        """The navigation regions and their links."""
    @property
    def kind(self) -> dict[str, Any]:
        """What kind of page this is (article, list, home, docs, error, other) and why."""
    @property
    def next(self) -> dict[str, Any]:
        """The Next.js facts: router, build id, route, path, params, assets."""
    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        """What was wrong with the input; the rest was still read."""
    @property
    def flight(self) -> bytes:
        """The flight stream the page was read from."""
    def to_dict(self) -> dict[str, Any]:
        """Everything `next-rsc extract` prints."""
    def to_json(self) -> str:
        """What `next-rsc extract` prints, as JSON text."""
    def to_html(self, *, safe: bool = False, no_css: bool = False, scripts: bool = False) -> str:
        """The page as HTML, as `next-rsc html` writes it (`safe`: no active content)."""
    def to_markdown(self) -> str | None:
        """The article as Markdown with front matter, or None when there is no article."""
    def tree(self) -> dict[str, Any]:
        """React's own tree in the form of `next-rsc tree --canonical`."""
    def tree_json(self) -> str:
        """The same tree as JSON text (for trees nested deeper than Python's json reads)."""
    def find(
        self,
        *,
        keys: Sequence[str] | None = None,
        type: str | None = None,
        module: str | None = None,
        text: str | None = None,
        regex: str | None = None,
        ignore_case: bool = False,
        client: bool = False,
        urls: bool = False,
        base: str | None = None,
    ) -> list[dict[str, Any]]:
        """Values in the tree, each as {"path": JSON pointer, "value": value}."""
    def get(self, pointer: str) -> Any:
        """The value at a JSON pointer into tree()."""
    def diff(self, newer: Page) -> list[dict[str, Any]]:
        """JSON Patch operations that turn this page's tree into newer's."""

def parse(
    data: _Bytes,
    url: str | None = None,
    *,
    base_path: str | None = None,
    trailing_slash: bool | None = None,
    source: str | None = None,
) -> Page:
    """Reads a Next.js page (flight, App Router HTML or pages-router HTML) from bytes."""

@overload
def parse_many(
    data: Iterable[_Bytes],
    *,
    threads: int | None = None,
    url: str | None = None,
    base_path: str | None = None,
    trailing_slash: bool | None = None,
    errors: Literal["raise"] = "raise",
) -> list[Page]: ...
@overload
def parse_many(
    data: Iterable[_Bytes],
    *,
    threads: int | None = None,
    url: str | None = None,
    base_path: str | None = None,
    trailing_slash: bool | None = None,
    errors: Literal["return"],
) -> list[Page | ParseError]: ...
@overload
def parse_many(
    data: Iterable[_Bytes],
    *,
    threads: int | None = None,
    url: str | None = None,
    base_path: str | None = None,
    trailing_slash: bool | None = None,
    errors: str,
) -> list[Page | ParseError]: ...

def warc_pages(data: _Bytes, name: str = "archive.warc") -> list[tuple[str, bytes | None, str | None]]:
    """The HTML and flight responses of a web archive's bytes, as (url, body, error)."""
