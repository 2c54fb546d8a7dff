#!/usr/bin/env python3
"""Writes an App Router HTML page the way Next.js writes one around a given flight payload.

The shell of a real page (everything before its first `self.__next_f.push` script), the
bootstrap `(self.__next_f=self.__next_f||[]).push([0])`, then the flight in push scripts of
about 2,048 bytes each (React's write chunks; never cutting a character), each chunk a
`JSON.stringify`d string with `&`, `<`, `>`, U+2028 and U+2029 escaped as Next's
htmlEscapeJsonString does, and the end of the page.

    python3 benches/next_page.py SHELL.html FLIGHT OUT.html
"""
import json
import re
import sys

ESCAPES = {"&": "\\u0026", "<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def next_string(text: str) -> str:
    return re.sub("[&<>\u2028\u2029]", lambda m: ESCAPES[m.group(0)], json.dumps(text, ensure_ascii=False))


def main() -> None:
    shell_path, flight_path, out_path = sys.argv[1:4]
    shell = open(shell_path, encoding="utf-8").read()
    cut = shell.find("<script>(self.__next_f")
    if cut < 0:
        cut = shell.find("<script>self.__next_f")
    head = shell[:cut] if cut >= 0 else shell
    flight = open(flight_path, encoding="utf-8").read()
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(head)
        out.write("<script>(self.__next_f=self.__next_f||[]).push([0])</script>")
        start = 0
        while start < len(flight):
            # About 2,048 bytes of UTF-8, ending on a character.
            end = min(len(flight), start + 2048)
            while end < len(flight) and len(flight[start:end].encode()) > 2048:
                end -= 64
            out.write('<script>self.__next_f.push([1,' + next_string(flight[start:end]) + '])</script>')
            start = end
        out.write("</body></html>")


if __name__ == "__main__":
    main()
