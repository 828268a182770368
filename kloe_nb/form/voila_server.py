"""What the Voilà server of ``kloe app`` needs: its page template, its configuration and its hook.

- The template is Voilà's own ``lab`` template without its two links to Font Awesome on a CDN
  (Voilà's bundled scripts carry Font Awesome already), so a page load asks nothing of another machine.
- The hook runs before each page's kernel starts. It asks for the page's XSRF token, so the
  ``_xsrf`` cookie is set and the shutdown request the page sends when it is closed or reloaded is
  accepted (without it each load left its kernel running); it routes a page without a council to
  the start page (``notebooks/start.ipynb``) and ``?view=moderation`` to ``notebooks/moderate.ipynb``;
  and it drops cells tagged ``jupyterlab-only`` (the instructions for people running the notebook).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from kloe_nb.bundled import bundled_dir
from kloe_nb.errors import KloeError

TEMPLATE = "kloe"
LAB_ONLY_TAG = "jupyterlab-only"
FORM_NOTEBOOK, START_NOTEBOOK, MODERATION_NOTEBOOK = "assess.ipynb", "start.ipynb", "moderate.ipynb"
_CDN = "cdn.jsdelivr.net"
_REMOTE = re.compile(r"(href|src)=[\"']?(https?:)?//")


def _voila_template_file(template: str, name: str) -> Path:
    from voila.paths import collect_template_paths

    for folder in collect_template_paths(["voila"], template):
        if Path(folder, name).is_file() and Path(folder).name == template:
            return Path(folder, name)
    raise KloeError(f"Voilà's template file {template}/{name} was not found: is voila installed in this environment?")


def _local_copy(source: Path, links: int) -> str:
    """The template's text without its ``links`` lines loading from the CDN; KloeError if it has other remote links."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if _CDN not in line]
    if len(lines) - len(kept) != links or any(_REMOTE.search(line) for line in kept):
        raise KloeError(
            f"Voilà's template {source} has changed: its links to other machines are not the {links} expected; the app cannot promise to stay local"
        )
    return "".join(kept)


def write_template(data_dir: Path) -> Path:
    """Write the ``kloe`` Voilà template under ``data_dir`` (a folder for ``JUPYTER_PATH``); returns its folder.

    The notebook page is ``lab/index.html.j2``, the other pages (errors, not found) ``lab/page.html``
    on ``base/page.html``; each is copied without its CDN links."""
    folder = data_dir / "voila" / "templates" / TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html.j2").write_text(_local_copy(_voila_template_file("lab", "index.html.j2"), 2), encoding="utf-8")
    (folder / "kloe_base_page.html").write_text(_local_copy(_voila_template_file("base", "page.html"), 1), encoding="utf-8")
    lab_page = _local_copy(_voila_template_file("lab", "page.html"), 0)
    if "'voila/templates/base/page.html'" not in lab_page:
        raise KloeError("Voilà's template lab/page.html has changed: it no longer extends base/page.html")
    (folder / "page.html").write_text(lab_page.replace("'voila/templates/base/page.html'", "'kloe_base_page.html'"), encoding="utf-8")
    (folder / "conf.json").write_text(json.dumps({"base_template": "lab"}), encoding="utf-8")
    return folder


def write_config(config_dir: Path) -> Path:
    """Write the ``voila.py`` that installs the hook (a callable cannot be given on the command line)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "voila.py"
    path.write_text(
        "# Written by kloe app for this run (kloe_nb/form/voila_server.py).\n"
        "from kloe_nb.form.voila_server import prelaunch\n\n"
        "c.VoilaConfiguration.prelaunch_hook = prelaunch  # noqa: F821 - traitlets provides c\n",
        encoding="utf-8",
    )
    return path


def page_notebook(query: str) -> str:
    """Which notebook a page shows: the start page without a council, moderation when asked, else the form."""
    found = {name: values[-1].strip() for name, values in parse_qs(query).items() if values}
    if not found.get("council_code"):
        return START_NOTEBOOK
    return MODERATION_NOTEBOOK if found.get("view") == "moderation" else FORM_NOTEBOOK


def without_lab_only_cells(notebook: Any) -> Any:
    """The notebook without the cells tagged for JupyterLab only."""
    notebook.cells = [cell for cell in notebook.cells if LAB_ONLY_TAG not in cell.get("metadata", {}).get("tags", [])]
    return notebook


def prelaunch(req: Any, notebook: Any, cwd: str) -> Any:
    """Voilà's prelaunch hook: set the XSRF cookie, choose the page's notebook, drop JupyterLab-only cells."""
    import nbformat

    req.xsrf_token  # noqa: B018 - reading it sets the _xsrf cookie that the page's shutdown request sends back
    chosen = page_notebook(req.request.query)
    if chosen != FORM_NOTEBOOK:
        notebook = nbformat.read(bundled_dir("notebooks") / chosen, as_version=4)
    return without_lab_only_cells(notebook)
