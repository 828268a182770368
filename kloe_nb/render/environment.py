"""The Jinja environment shared by every HTML page: autoescaping on, templates from the package.

Everything a page shows that came from a file or a person is escaped by Jinja's autoescape;
templates never mark such text safe. Pages carry a Content-Security-Policy that forbids
scripts and any network load, so a page stays inert wherever it is opened.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from kloe_nb import __version__
from kloe_nb.files import write_text_atomically  # noqa: F401  (re-exported: pages are written with it)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kloe_nb.render", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env
