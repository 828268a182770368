"""Benchmark: the size of every bundled example report, and where the bytes of the largest go.

Imports examples/ into a fresh store, renders each council's report of its councils CSV
(latest period, as ``kloe run`` does) in this process (the notebook's displays without a
kernel, as ``tests/builders.page_of`` does), and prints each framework's min-max size in KB,
the seconds per report, and for the largest report (or ``--council CODE``) its bytes by
section and by kind: CSS, SVG, markup (tags and attributes) and text (what a reader reads,
character references included). With ``--out DIR`` it also writes every page there.

    PYTHONPATH=$PWD python bench/report_size.py [--out /tmp/pages] [--council EX-WA02]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook, new_output

from kloe_nb.demo import import_examples
from kloe_nb.interchange.councils_csv import read_councils_csv
from kloe_nb.render.exporter import PageRenderer
from kloe_nb.report import Report

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FRAMEWORKS = ("ac-benefits", "ac-judgement2", "caa-2009", "hi-prospects", "wao-housing")
#: The report's cells, in the order of notebooks/report.ipynb.
CELLS = ("header", "judgements", "combination", "sensitivity", "direction_of_travel", "questions", "flags", "improvements", "provenance", "summary")


def page(report: Report, renderer: PageRenderer) -> tuple[str, dict[str, int]]:
    """The page as the batch makes it, and the bytes of each section's HTML."""
    cells, sections = [], {}
    for name in CELLS:
        part = getattr(report, name)()
        cell = new_code_cell(f"report.{name}()")
        if part is not None:
            data, metadata = part._repr_mimebundle_()
            cell.outputs = [new_output("execute_result", data=data, metadata=metadata, execution_count=1)]
            if "text/html" in data:
                sections[name] = len(data["text/html"].encode())
        cells.append(cell)
    html = renderer.render(new_notebook(cells=cells))
    return html, sections


class Kinds(HTMLParser):
    """Counts a page's bytes by kind: CSS, SVG (all of it), markup and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.bytes: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self._in: list[str] = []

    def _kind(self) -> str:
        return "svg" if "svg" in self._in else "css" if "style" in self._in else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("svg", "style"):
            self._in.append(tag)
        text = self.get_starttag_text() or ""
        self.bytes[self._kind() or "markup"] += len(text.encode())
        self.tags[tag] += len(text.encode())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or ""
        self.bytes[self._kind() or "markup"] += len(text.encode())
        self.tags[tag] += len(text.encode())

    def handle_endtag(self, tag: str) -> None:
        size = len(f"</{tag}>".encode())
        self.bytes[self._kind() or "markup"] += size
        self.tags[tag] += size
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        kind = self._kind()
        if not kind and not data.strip():
            kind = "whitespace"
        self.bytes[kind or "text"] += len(data.encode())

    def handle_entityref(self, name: str) -> None:
        self.bytes[self._kind() or "text"] += len(name) + 2

    def handle_charref(self, name: str) -> None:
        self.bytes[self._kind() or "text"] += len(name) + 3

    def handle_decl(self, decl: str) -> None:
        self.bytes["markup"] += len(decl) + 3

    def handle_comment(self, data: str) -> None:
        self.bytes["markup"] += len(data) + 7


def breakdown(html: str) -> tuple[Counter[str], Counter[str]]:
    """(bytes by kind, bytes of markup by tag name) of one page."""
    kinds = Kinds()
    kinds.feed(html)
    kinds.close()
    return kinds.bytes, kinds.tags


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write every page into this folder")
    parser.add_argument("--council", help="break down this council's report (default: the largest)")
    args = parser.parse_args(argv)
    renderer = PageRenderer()
    renderer.warm_up()
    pages: dict[tuple[str, str], tuple[str, dict[str, int]]] = {}
    seconds: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "kloe.db"
        import_examples(store, EXAMPLES)
        for framework in FRAMEWORKS:
            for council in read_councils_csv(EXAMPLES / "councils" / f"{framework}.csv"):
                start = time.perf_counter()
                report = Report.load(framework, council.code, str(store), council.period or "")
                pages[(framework, council.code)] = page(report, renderer)
                seconds.append(time.perf_counter() - start)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for (framework, code), (html, _) in pages.items():
            (args.out / f"{framework}--{code}.html").write_text(html, encoding="utf-8")
    for framework in FRAMEWORKS:
        sizes = {code: len(html.encode()) for (fw, code), (html, _) in pages.items() if fw == framework}
        print(
            f"{framework:14} {min(sizes.values()) / 1000:6.1f}–{max(sizes.values()) / 1000:6.1f} KB  "
            + ", ".join(f"{code} {size / 1000:.1f}" for code, size in sizes.items())
        )
    print(f"render: {sum(seconds) / len(seconds) * 1000:.0f} ms per report (load, score, sections, page; {len(seconds)} reports)")
    key = next((k for k in pages if k[1] == args.council), None) or max(pages, key=lambda k: len(pages[k][0].encode()))
    html, sections = pages[key]
    total = len(html.encode())
    print(f"\n{key[0]} {key[1]}: {total:,} bytes")
    print(
        "  by section: " + ", ".join(f"{name} {size:,}" for name, size in sections.items()) + f"; the rest (head, CSS, page) {total - sum(sections.values()):,}"
    )
    kinds, tags = breakdown(html)
    print("  by kind: " + ", ".join(f"{kind} {size:,}" for kind, size in kinds.most_common()))
    print("  markup by tag: " + ", ".join(f"{tag} {size:,}" for tag, size in tags.most_common(14)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
