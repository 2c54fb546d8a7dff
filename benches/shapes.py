#!/usr/bin/env python3
"""Writes the flight shapes whose memory and time benches/README.md quotes ("Memory").

    python3 benches/shapes.py target/bench-data/shapes

- small.txt: 5 million one-digit numbers in one array (10 MB);
- tiny-elements.txt: an article of 300,000 `<span>a</span>` elements (10.5 MB), the shape
  of a code block highlighted span by span;
- outlined.txt: a root of 400,000 lazy references, each to a row of its own (14.1 MB);
- attrs.html: an HTML page with one tag of 300,000 attributes and a one-row flight (5 MB).
"""

import os
import sys


def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else "target/bench-data/shapes"
    os.makedirs(folder, exist_ok=True)

    def write(name: str, text: str) -> None:
        with open(os.path.join(folder, name), "w", encoding="utf-8") as out:
            out.write(text)

    write("small.txt", "0:[" + "1," * 5_000_000 + "0]\n")
    spans = ",".join(['["$","span",null,{"children":"a"}]'] * 300_000)
    write(
        "tiny-elements.txt",
        '0:["$","html",null,{"children":["$","body",null,{"children":["$","main",null,'
        '{"children":["$","article",null,{"children":[["$","h1",null,{"children":"Title"}],'
        '["$","p",null,{"children":[' + spans + "]}]]}]}]}]}]\n",
    )
    rows = 400_000
    refs = ",".join(f'"${i:x}"' for i in range(1, rows + 1))
    write(
        "outlined.txt",
        f"0:[{refs}]\n" + "".join(f'{i:x}:"row {i} of text"\n' for i in range(1, rows + 1)),
    )
    attributes = " ".join(f'data-a{i}="x"' for i in range(300_000))
    write(
        "attrs.html",
        f"<!DOCTYPE html><html><body><div {attributes}>hi</div><script>"
        "(self.__next_f=self.__next_f||[]).push([0]);self.__next_f.push([1,"
        '"0:[\\"$\\",\\"p\\",null,{\\"children\\":\\"hi\\"}]\\n"])</script></body></html>',
    )


if __name__ == "__main__":
    main()
