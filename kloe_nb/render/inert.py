"""Every finished page is checked inert before it is written: no script, nothing from the network.

Jinja's autoescape (``environment.py``) makes user text inert; a custom notebook or template
could still emit markup, so every finished page is scanned once more (``require_inert``) and a
page that could run code or reach the network is never written.
"""

from __future__ import annotations

import html
import re

from kloe_nb.errors import KloeError


class UnsafePageError(KloeError):
    """A page about to be written could run code or load from the network; it was not written."""


_FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "link", "base", "form", "applet", "portal"}
_URL_ATTRIBUTES = {"src", "href", "action", "formaction", "data", "poster", "srcset", "xlink:href", "background", "ping"}
_SAFE_URL = re.compile(r"^(#\S*|[A-Za-z0-9._~/%-]+\.(html|ipynb|csv)(#\S*)?|data:image/(png|gif|jpeg|webp);base64,[A-Za-z0-9+/=]*)$")
# A start tag as the HTML tokenizer sees one: "<" and a letter. Text escaped by Jinja never has a
# raw "<", and attribute values our templates write never hold a raw ">", so this finds every tag.
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s>]*?(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)*)\s*/?>")
_ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]*))?")
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_CSP = re.compile(r"<meta\s+http-equiv=\"Content-Security-Policy\"\s+content=\"[^\"]*default-src 'none'", re.I)


def _unquote(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return html.unescape(value).strip()


def inert_problems(page: str) -> list[str]:
    """Every way the page could run code or reach the network (empty when it is inert).

    A fast scan of the tags (a report is checked before every write, so this runs once per
    council); tests check pages again with a full HTML parser (tests/htmlcheck.py).
    """
    problems = []
    for match in _TAG.finditer(page):
        tag = match.group(1).lower()
        if tag in _FORBIDDEN_TAGS:
            problems.append(f"a <{tag}> element")
        for attribute in _ATTRIBUTE.finditer(match.group(2)):
            name, value = attribute.group(1).lower(), _unquote(attribute.group(2))
            if name.startswith("on"):
                problems.append(f"an event handler {name}= on <{tag}>")
            elif name in _URL_ATTRIBUTES and value and not _SAFE_URL.match(value):
                problems.append(f"a link {name}={value[:60]!r} on <{tag}> that is neither in-page nor a local file")
            elif name == "style" and ("url(" in value.lower() or "expression(" in value.lower()):
                problems.append(f"a style attribute on <{tag}> that loads something")
            elif tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
                problems.append("a <meta http-equiv=refresh>")
    for style in _STYLE_ELEMENT.findall(page):
        compact = style.lower().replace(" ", "")
        if "@import" in compact or re.search(r"url\((?!['\"]?data:)", compact):
            problems.append("a stylesheet that loads something (@import or url())")
    if not _CSP.search(page):
        problems.append("no Content-Security-Policy meta tag with default-src 'none'")
    return problems


def require_inert(page: str, what: str) -> str:
    """The page, or UnsafePageError naming what is wrong with it (it is then not written)."""
    problems = inert_problems(page)
    if problems:
        raise UnsafePageError(f"{what}: refusing to write a page that is not inert: {'; '.join(sorted(set(problems))[:5])}")
    return page
