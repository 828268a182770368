"""The stylesheet a page carries: compacted, and on a page that asks, only the rules that can match it.

Every page includes the one shared ``style.css`` (the index's, the handbook's and the report's
rules alike). ``compact_css`` drops comments and white space a browser ignores; given the page's
markup it also drops each rule none of whose selectors can match: a selector needs every class it
names outside parentheses (``.report-plan-table thead th``), so a class the page never writes rules
it out. Classes named inside parentheses (``:not(.x)``, ``:has(.x)``) and rules without a class are
kept, and an ``@media`` block keeps the rules of it that can match. What is left styles the page
exactly as the whole sheet did.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_SPACE = re.compile(r"\s+")
_CSS_AROUND = re.compile(r"\s*([{};,>])\s*")
_CSS_AFTER_COLON = re.compile(r":\s+")
_CLASS_ATTRIBUTE = re.compile(r"""class\s*=\s*["']([^"']*)["']""")  # a literal start: the regex engine jumps to each "class"
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def classes_in(markup: str) -> set[str]:
    """Every class name the markup's ``class`` attributes give (``class`` as a whole word, as ``\\bclass`` would find it)."""
    names: set[str] = set()
    match = _CLASS_ATTRIBUTE.search(markup)
    while match is not None:
        start = match.start()
        before = markup[start - 1] if start else ""
        if before.isalnum() or before == "_":  # inside a longer word (``subclass=``): look again from the next character
            match = _CLASS_ATTRIBUTE.search(markup, start + 1)
        else:
            names.update(match.group(1).split())
            match = _CLASS_ATTRIBUTE.search(markup, match.end())
    return names


def _needed_classes(selector: str) -> frozenset[str]:
    """The classes a page must have for the selector to match it (none: it may match any page)."""
    outside = selector
    while "(" in outside:
        bare = _PARENTHESISED.sub("", outside)
        if bare == outside:  # unbalanced: keep the rule rather than guess
            return frozenset()
        outside = bare
    return frozenset(_CLASS_SELECTOR.findall(outside))


def _blocks(css: str) -> list[tuple[str, str]]:
    """(prelude, body) of each top-level block of compacted CSS; the body of an ``@media`` is rules again."""
    blocks, depth, start, prelude = [], 0, 0, ""
    for index, char in enumerate(css):
        if char == "{":
            if depth == 0:
                prelude, start = css[start:index], index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                blocks.append((prelude, css[start:index]))
                start = index + 1
    return blocks


#: One top-level block of a sheet: (its text, the class sets one of which it needs (empty: always kept), the rules of an ``@media`` block or None).
_Block = tuple[str, tuple[frozenset[str], ...], "tuple[_Block, ...] | None"]


@lru_cache(maxsize=16)
def _parsed(css: str) -> tuple[_Block, ...]:
    """The blocks of compacted CSS, each with what it needs, read once per sheet (every page of a batch carries the same one)."""
    parsed: list[_Block] = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@media"):
            parsed.append((prelude, (), _parsed(body)))
        elif prelude.startswith("@"):
            parsed.append((f"{prelude}{{{body}}}", (), None))
        else:
            needs = tuple(_needed_classes(selector) for selector in prelude.split(","))
            parsed.append((f"{prelude}{{{body}}}", () if any(not need for need in needs) else needs, None))
    return tuple(parsed)


def _kept(blocks: tuple[_Block, ...], classes: set[str]) -> str:
    kept = []
    for text, needs, inner in blocks:
        if inner is not None:
            rules = _kept(inner, classes)
            if rules:
                kept.append(f"{text}{{{rules}}}")
        elif not needs or any(need <= classes for need in needs):
            kept.append(text)
    return "".join(kept)


def used_rules(css: str, classes: set[str]) -> str:
    """The rules of compacted CSS that can match a page with these classes (see the module docstring)."""
    return _kept(_parsed(css), classes)


def compact_css(text: str, page: str | None = None) -> str:
    """A stylesheet as a page carries it: comments dropped, runs of white space made one, none around ``{ } ; , >``
    or after ``:``; with ``page`` (the page's markup), only the rules that can match it.

    The rules are the same (the source files stay readable). Our stylesheets hold no strings or
    ``url()``s in which white space would matter, except ``content: "..."`` values, which hold
    no such characters.
    """
    compacted = _compacted(text)
    return used_rules(compacted, classes_in(page)) if page is not None else compacted


@lru_cache(maxsize=16)
def _compacted(text: str) -> str:
    """``compact_css`` without a page, once per sheet (its text is the key: nothing of a page is kept)."""
    text = _CSS_COMMENT.sub("", text)
    text = _CSS_SPACE.sub(" ", text)
    text = _CSS_AROUND.sub(r"\1", text).replace(";}", "}").strip()
    return _CSS_AFTER_COLON.sub(":", text)
