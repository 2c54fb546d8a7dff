"""next-rsc: reads the React Server Components ("flight") data of Next.js App Router sites.

>>> import next_rsc
>>> page = next_rsc.parse(open("page.html", "rb").read(), url="https://example.com/blog/hello")
>>> page.metadata["title"], page.article["title"] if page.article else None
>>> page.to_dict()        # exactly what `next-rsc extract` prints
>>> page.to_markdown()    # the article, or None
"""

from ._native import Page, ParseError, __version__, parse, parse_many, warc_pages

__all__ = ["Page", "ParseError", "__version__", "parse", "parse_many", "warc_pages"]
