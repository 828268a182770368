"""Every finished page is checked inert before it is written: no script, nothing from the network.

Jinja's autoescape (``environment.py``) makes user text inert; a custom notebook or template
could still emit markup, so every finished page is read once more, by a real HTML tokenizer
(``html.parser``), and a page that could run code, navigate or reach the network is never
written (``require_inert``). Regular expressions over the text missed tags a browser reads
(``<script/x>``, ``<meta/http-equiv=refresh/...>``), so the check is on the tokens.

``html.parser`` tokenizes tags and attributes as a browser does; where it does not (and where
its versions differ), the page is refused rather than guessed at:

- ``title``, ``textarea``, ``style`` (and ``xmp``, ``noscript``...) are raw text to a browser up
  to their end tag; the parser is told so, and raw text holding ``<`` is refused (a browser may
  end it earlier, or, inside ``<svg>``, read tags in it);
- a comment or ``<![CDATA[`` section holding ``>`` is refused (a browser ends ``<!-->``,
  ``--!>`` and CDATA outside SVG at the first ``>``);
- the Content-Security-Policy counts only as the page's first tags (in the head, where a browser
  honours it, and before anything that could hide it).

What is allowed: in-page links (``#...``), relative links to the files the workbook writes
beside a page (``name.html``, ``notebooks/name.ipynb``, ``summary.csv``), ``data:`` images,
``<meta charset>``, ``<meta name=...>``, and stylesheets that load nothing.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from kloe_nb.errors import KloeError


class UnsafePageError(KloeError):
    """A page about to be written could run code or load from the network; it was not written."""


_FORBIDDEN_TAGS = frozenset(
    {
        "script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe", "link", "base",
        "form", "noscript", "noembed", "noframes", "xmp", "plaintext", "param", "isindex", "bgsound",
    }
)  # fmt: skip
#: Raw text to a browser (no tags inside, up to the end tag); the parser is told to read them so.
_RAW_TEXT = ("script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript")
_URL_ATTRIBUTES = frozenset(
    {
        "src", "href", "action", "formaction", "data", "poster", "srcset", "imagesrcset", "background", "ping",
        "cite", "longdesc", "usemap", "manifest", "codebase", "classid", "archive", "profile", "lowsrc", "dynsrc", "icon",
    }
)  # fmt: skip
_ANIMATIONS = frozenset({"animate", "set", "animatemotion", "animatetransform", "animatecolor"})
#: Attributes a browser reads as CSS (``style``, SVG paint and effects, animated values): no ``url(`` but in-page ones.
_CSS_ATTRIBUTES = frozenset(
    {"style", "fill", "stroke", "filter", "mask", "clip-path", "marker-start", "marker-mid", "marker-end", "cursor", "values", "to", "from", "by"}
)
_SAFE_URL = re.compile(r"#[^\s]*|[A-Za-z0-9._~%-]+(?:/[A-Za-z0-9._~%-]+)*\.(?:html|ipynb|csv)(?:#\S*)?|data:image/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=]*")
_SCRIPT_SCHEME = re.compile(r"(?:java|vb|live)script:|data:text/html")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")  # a browser drops tabs and newlines anywhere in a URL, and spaces around it
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9A-Fa-f]{1,6})[ \t\r\n\f]?|(\r\n|[\n\r\f])|(.))", re.S)
_CSS_LOADS = re.compile(r"url\((?!['\"]?#)|image-set\(|image\(|src\(|@import|expression\(|behavior:|-moz-binding|javascript:|vbscript:")
_CSS_SPACE = re.compile(r"[\s\x00]+")
_CSP_WINDOW = frozenset({"html", "head", "meta"})


def _css_unescaped(match: re.Match[str]) -> str:
    digits, newline, other = match.groups()
    if digits is not None:
        code = int(digits, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
    return "" if newline is not None else other


def css_loads_something(css: str) -> bool:
    """Could this CSS (a ``style`` attribute or element) load or run anything? Escapes and comments are seen through."""
    for variant in {css, html.unescape(css)}:
        for uncommented in (_CSS_COMMENT.sub("", variant), _CSS_COMMENT.sub(" ", variant)):
            text = _CSS_SPACE.sub("", _CSS_ESCAPE.sub(_css_unescaped, uncommented)).lower()
            if _CSS_LOADS.search(text):
                return True
    return False


def _has_default_src_none(policy: str) -> bool:
    directives = (part.split() for part in policy.split(";"))
    return any(words[0].lower() == "default-src" and [word.lower() for word in words[1:]] == ["'none'"] for words in directives if words)


class _PageReader(HTMLParser):
    """Collects what is wrong with a page as a browser would tokenize it."""

    CDATA_CONTENT_ELEMENTS = _RAW_TEXT  # type: ignore[misc]  # Final in typeshed; html.parser reads it from the instance

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.has_csp = False
        self._csp_window = True  # still among the page's first tags, where its policy must be
        self._raw: str | None = None
        self._raw_text: list[str] = []

    def updatepos(self, i: int, j: int) -> int:
        """Skip html.parser's count of lines and columns at every token (~10% of the check): no problem names a position."""
        return j

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _CSP_WINDOW:
            self._csp_window = False
        if tag in _FORBIDDEN_TAGS:
            self.problems.append(f"a <{tag}> element")
        if tag in _RAW_TEXT:
            self._raw, self._raw_text = tag, []
        for name, raw_value in attrs:
            self._attribute(tag, name, raw_value or "")
        if tag == "meta":
            self._meta(attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._end_raw_text()

    def _end_raw_text(self) -> None:
        text, tag = "".join(self._raw_text), self._raw
        self._raw, self._raw_text = None, []
        if "<" in text:
            self.problems.append(f"markup inside <{tag}>, which a browser may read differently")
        if tag == "style" and css_loads_something(text):
            self.problems.append("a stylesheet that loads or runs something (url(), @import, expression())")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        url = _URL_NOISE.sub("", value)
        if name.startswith("on"):
            self.problems.append(f"an event handler {name}= on <{tag}>")
        elif name == "srcdoc" or name == "xml:base":
            self.problems.append(f"a {name}= attribute on <{tag}>")
        elif (name in _URL_ATTRIBUTES or name.endswith(":href")) and url and not _SAFE_URL.fullmatch(url):
            self.problems.append(f"a link {name}={value[:60]!r} on <{tag}> that is neither in-page nor a file beside the page")
        elif _SCRIPT_SCHEME.search(url.lower()):
            self.problems.append(f"a script URL in {name}= on <{tag}>")
        elif name in _CSS_ATTRIBUTES and css_loads_something(value):
            self.problems.append(f"a {name}= attribute on <{tag}> that loads or runs something")
        if tag in _ANIMATIONS and name == "attributename":
            target = value.strip().lower()
            if target in _URL_ATTRIBUTES or target.endswith("href") or target in ("style", "srcdoc") or target.startswith("on"):
                self.problems.append(f"an <{tag}> that changes {target}=")

    def _meta(self, attrs: list[tuple[str, str | None]]) -> None:
        equivs = [(value or "").strip().lower() for name, value in attrs if name == "http-equiv"]
        for equiv in equivs:  # a browser reads the first of repeated attributes: every one must be harmless
            if equiv != "content-security-policy":
                self.problems.append(f"a <meta http-equiv={equiv[:40]!r}>")
        content = next((value or "" for name, value in attrs if name == "content"), "")
        if equivs and set(equivs) == {"content-security-policy"} and self._csp_window and _has_default_src_none(content):
            self.has_csp = True

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_text.append(data)
        if data.strip():
            self._csp_window = False

    def handle_comment(self, data: str) -> None:
        self._csp_window = False
        if ">" in data:
            self.problems.append("a comment holding '>', which a browser may end early")

    def unknown_decl(self, data: str) -> None:
        self._csp_window = False
        if ">" in data:
            self.problems.append("a <![...]> section holding '>', which a browser may end early")

    def handle_pi(self, data: str) -> None:
        self._csp_window = False

    def close(self) -> None:
        super().close()
        if self._raw is not None:  # raw text left open at the end of the page
            self._end_raw_text()


def inert_problems(page: str) -> list[str]:
    """Every way the page could run code, navigate or reach the network (empty when it is inert).

    Runs once before every page is written (once per council in a batch); tests check pages
    again with their own, independent reading (tests/htmlcheck.py).
    """
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    problems = list(reader.problems)
    if not reader.has_csp:
        problems.append("no Content-Security-Policy meta tag with default-src 'none' among the page's first tags")
    return problems


def require_inert(page: str, what: str) -> str:
    """The page, or UnsafePageError naming what is wrong with it (it is then not written)."""
    problems = inert_problems(page)
    if problems:
        unique = sorted(set(problems))
        more = f" (and {len(unique) - 5} more)" if len(unique) > 5 else ""
        raise UnsafePageError(f"{what}: refusing to write a page that is not inert: {'; '.join(unique[:5])}{more}")
    return page
