"""Every name the form, the moderation view and the start page give a KLOE is its number, else its title.

Some sources number their KLOEs only by title (hi-prospects' "Track record", whose id is the
slug ``track-record``; wao-housing's ``1.2-diversity``). The id is for files and commands: a
reader never sees it. Each bundled framework is opened in every view, every KLOE visited, the
moderation view given a disagreement on every scored KLOE, and every text a person can read
(labels, options, tooltips, placeholders, HTML text and its titles) searched for the slugs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import ipywidgets as W
import pytest
from builders import FAST

from kloe_nb.assessment.model import Assessment, Evidence, KloeRecord, Organisation
from kloe_nb.form import build_form
from kloe_nb.form.moderation import build_moderation
from kloe_nb.form.session import describe_field
from kloe_nb.form.start_page import start_html
from kloe_nb.framework.loader import bundled_ids, load_framework
from kloe_nb.framework.model import Framework
from kloe_nb.framework.naming import kloe_number
from kloe_nb.store import open_store

REFERENCES = {"id", "parent", "judgement", "inputs", "scale", "question", "theme"}
"""Keys of the framework's data that hold ids, not words of the source."""


class _Text(HTMLParser):
    """The text of an HTML fragment a person reads: its characters and its titles and accessible names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts += [value for name, value in attrs if name in ("title", "aria-label", "alt", "placeholder") and value]


def readable(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def shown_texts(root: W.Widget) -> list[str]:
    """Everything of a widget tree a person can read: descriptions, option labels, tooltips, placeholders, HTML."""
    texts = []
    for widget in walk(root):
        for name in ("description", "tooltip", "placeholder"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                texts.append(value)
        texts += list(getattr(widget, "tooltips", None) or ())
        texts += [str(label) for label in getattr(widget, "_options_labels", ())]
        if isinstance(widget, (W.Combobox,)):
            texts += list(widget.options)
        if isinstance(widget, W.HTML):
            texts.append(readable(widget.value))
    return texts


def source_words(framework: Framework) -> list[str]:
    """The source's own words (titles, prompts, statements...): a slug that is also a word ('learning') may be in them."""
    found: list[str] = []

    def collect(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for name, item in value.items():
                if str(name) not in REFERENCES:
                    collect(item, str(name))
        elif isinstance(value, list):
            for item in value:
                collect(item, key)
        elif isinstance(value, str) and key not in REFERENCES:
            found.append(value)

    collect(framework.model_dump(mode="json"))
    return sorted({words for words in found if len(words) > 30}, key=len, reverse=True)  # sentences: short ones ('1.2') are in slugs too


def slugs_in(texts: list[str], framework: Framework) -> list[tuple[str, str]]:
    """(slug, text) for every text naming a KLOE by an id that is not a number."""
    slugs = [kloe.id for _, kloe in framework.iter_kloes() if not kloe_number(kloe)]
    words = source_words(framework)
    found = []
    for text in texts:
        own = text
        for phrase in words:
            own = own.replace(phrase, " ")
        for slug in slugs:
            if re.search(rf"(?<![\w-]){re.escape(slug)}(?![\w-])", own):
                found.append((slug, text[:160]))
    return found


def test_the_check_finds_a_slug_where_one_is_shown():
    framework = load_framework("hi-prospects")
    assert slugs_in(["Add a row of evidence to KLOE track-record", "Not yet assessed: learning"], framework) == [
        ("track-record", "Add a row of evidence to KLOE track-record"),
        ("learning", "Not yet assessed: learning"),
    ]
    assert slugs_in(["KLOE 1.2-diversity level"], load_framework("wao-housing")) == [("1.2-diversity", "KLOE 1.2-diversity level")]
    statement = framework.kloe("learning").descriptors[4][1]  # "Uses this learning in service planning...": the source's own words
    assert slugs_in(["\u201cTrack record\u201d", f"Level 4: {statement}"], framework) == []


def two_disagreeing_scorings(store_path, framework: Framework) -> str:
    """A lead and a track B that disagree on every scored KLOE but the last, which only the lead levelled."""
    scored = [(group, kloe) for group, kloe in framework.iter_kloes() if kloe.scored and framework.scale_for_group(group)]
    with open_store(store_path) as store:
        for track, pick in (("", min), ("B", max)):
            records = {}
            for position, (group, kloe) in enumerate(scored):
                scale = framework.scale_for_group(group)
                assert scale is not None
                if track and position == len(scored) - 1:
                    continue
                records[kloe.id] = KloeRecord(level=pick(level.level for level in scale.levels), evidence=[Evidence(source="Minutes", date_seen="someday")])
            assessment = Assessment(framework=framework.id, organisation=Organisation(code="00AB", name="Ynys Môn"), track=track, kloes=records)
            store.save(assessment, based_on=None, author=track or "lead")
    return scored[0][1].id


@pytest.mark.parametrize("framework_id", bundled_ids())
def test_no_view_names_a_kloe_by_a_slug(tmp_path, framework_id):
    framework = load_framework(framework_id)
    store = tmp_path / "kloe.db"
    first = two_disagreeing_scorings(store, framework)

    form = build_form(framework_id, "00AB", "Ynys Môn", store, "alice", timing=FAST)
    moderation = build_moderation(framework_id, "00AB", store, track="B", assessor="carol")
    try:
        texts = []
        for _, kloe in framework.iter_kloes():
            form.navigator.go(kloe.id)
            panel = form.panels[kloe.id]
            panel.evidence.add()  # a row of its own, with its tooltips
            texts += shown_texts(form.widget)  # the navigation lists as they stand at this KLOE, and its panel
            texts.append(describe_field(framework, ("kloes", kloe.id, "level")))  # how a conflict names it
        for view, _ in form.view.options:
            form.view.label = view
            texts += shown_texts(form.widget)
        texts += shown_texts(form.guard.widget)

        box = moderation.boxes[first]
        moderation.record(first)  # without a level: says which KLOE needs one
        texts += shown_texts(moderation.widget)
        assert box.level is not None and box.note is not None
        box.level.value = box.level.options[1][1]
        box.note.value = "settled by the minutes"
        moderation.record(first)
        texts += shown_texts(moderation.widget)
        assert moderation.boxes, "the moderation view lists the KLOEs where the scorings disagree"
    finally:
        form.close()
        moderation.close()
    texts.append(readable(start_html(store)))
    assert any(framework.title in text for text in texts)
    assert slugs_in(texts, framework) == []
