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

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_SPACE = re.compile(r"\s+")
_CSS_AROUND = re.compile(r"\s*([{};,>])\s*")
_CSS_AFTER_COLON = re.compile(r":\s+")
_CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
_CLASS_SELECTOR = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_PARENTHESISED = re.compile(r"\([^()]*\)")


def classes_in(markup: str) -> set[str]:
    """Every class name the markup's ``class`` attributes give."""
    return {name for match in _CLASS_ATTRIBUTE.finditer(markup) for name in match.group(1).split()}


def _can_match(selector: str, classes: set[str]) -> bool:
    outside = selector
    while "(" in outside:
        bare = _PARENTHESISED.sub("", outside)
        if bare == outside:  # unbalanced: keep the rule rather than guess
            return True
        outside = bare
    return all(name in classes for name in _CLASS_SELECTOR.findall(outside))


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


def used_rules(css: str, classes: set[str]) -> str:
    """The rules of compacted CSS that can match a page with these classes (see the module docstring)."""
    kept = []
    for prelude, body in _blocks(css):
        if prelude.startswith("@media"):
            inner = used_rules(body, classes)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@") or any(_can_match(selector, classes) for selector in prelude.split(",")):
            kept.append(f"{prelude}{{{body}}}")
    return "".join(kept)


def compact_css(text: str, page: str | None = None) -> str:
    """A stylesheet as a page carries it: comments dropped, runs of white space made one, none around ``{ } ; , >``
    or after ``:``; with ``page`` (the page's markup), only the rules that can match it.

    The rules are the same (the source files stay readable). Our stylesheets hold no strings or
    ``url()``s in which white space would matter, except ``content: "..."`` values, which hold
    no such characters.
    """
    text = _CSS_COMMENT.sub("", text)
    text = _CSS_SPACE.sub(" ", text)
    text = _CSS_AROUND.sub(r"\1", text).replace(";}", "}").strip()
    text = _CSS_AFTER_COLON.sub(":", text)
    return used_rules(text, classes_in(page)) if page is not None else text
