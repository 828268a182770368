"""Text from files and the store shown in a terminal with its control characters made visible.

Organisation names, council names from a councils CSV, flag text, who saved a revision and
framework titles come from files anyone can write. Printed as they are, an escape byte
(``\\x1b[2J``) clears the screen or retitles the window, a carriage return overwrites a line, and
a bidi override (U+202E) shows text reversed. So every command shows such characters as a
visible escape (``\\x1b``, ``\\r``, ``\\u202e``), the way Python's ``repr`` writes them; the pages
do the same in their own way (``render/environment.py``). What is escaped: C0 and C1 control
characters and DEL, invisible format characters (Unicode category Cf: bidi embeddings, overrides
and isolates, zero-width characters, the byte order mark), line and paragraph separators, and
lone surrogates (which a terminal cannot be sent at all).
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
#: Anything but printable ASCII may need escaping; most text has none, and is returned as it is.
_CANDIDATE = re.compile(r"[^ -~]")


def _escaped(character: str) -> bool:
    return unicodedata.category(character) in _ESCAPED_CATEGORIES


def _python_escape(character: str) -> str:
    code = ord(character)
    if character in _NAMED:
        return _NAMED[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, *, lines: bool = False) -> str:
    """The text with control and invisible format characters as visible escapes.

    ``lines=True`` keeps newlines and tabs (a message of several lines); without it the text
    stays on one line, so a name cannot start a line of its own.
    """

    def shown(match: re.Match[str]) -> str:
        character = match.group()
        if (lines and character in "\n\t") or not _escaped(character):
            return character
        return _python_escape(character)

    return _CANDIDATE.sub(shown, text)


def visible_json(text: str) -> str:
    """JSON text with the same characters escaped the JSON way (``\\u001b``, ``\\u202e``): the same data, safe to print.

    ``json.dumps`` escapes C0 controls already; with ``ensure_ascii=False`` it leaves DEL, C1
    controls and format characters as they are. Outside its strings, JSON text is printable ASCII
    and newlines, so only characters inside strings are changed.
    """

    def shown(match: re.Match[str]) -> str:
        character = match.group()
        if character == "\n" or not _escaped(character):
            return character
        code = ord(character)
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    return _CANDIDATE.sub(shown, text)
