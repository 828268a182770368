"""Is an HTML page inert and self-contained? Checked on the parsed tags, not on the text.

A page may *show* ``<script>`` or ``onerror=`` as escaped text; what it must not have is a
real script, frame or embed tag, an ``on*`` attribute, a ``javascript:`` URL, or anything
loaded from the network.
"""

from __future__ import annotations

from html.parser import HTMLParser

FORBIDDEN_TAGS = {"script", "iframe", "frame", "object", "embed", "link", "base", "form", "applet", "meta-refresh"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "data", "poster", "srcset", "xlink:href"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.has_csp = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES:
                lowered = value.lower().replace(" ", "")
                if lowered.startswith(("javascript:", "vbscript:", "data:text/html", "http:", "https:", "//")):
                    self.problems.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style" and "url(" in value:
                self.problems.append(f"<{tag} style> loads a URL")
        if tag == "meta":
            values = dict(attrs)
            if (values.get("http-equiv") or "").lower() == "content-security-policy":
                self.has_csp = "default-src 'none'" in (values.get("content") or "")
            if (values.get("http-equiv") or "").lower() == "refresh":
                self.problems.append("<meta refresh>")

    def handle_data(self, data: str) -> None:
        pass


def inert_problems(html: str) -> list[str]:
    """Every way the page could run code or reach the network (empty when it is inert)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    problems = list(collector.problems)
    if not collector.has_csp:
        problems.append("no Content-Security-Policy meta with default-src 'none'")
    if "@import" in html or "url(http" in html:
        problems.append("stylesheet loads from the network")
    return problems
