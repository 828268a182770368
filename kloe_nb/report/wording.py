"""The judgement sentence, in the frameworks' own words: "a 'fair', one-star service with
uncertain prospects for improvement".

Built only from the framework's data (judgement titles, scale labels, stars and column
headings), never from a list of KLOEs or labels in code. Each decided judgement with a label
gives one phrase, by the first of these that fits:

1. a *prospect* (a label of several words whose last word is in the title: "Uncertain
   prospects" for "What are the prospects for improvement?"): ``uncertain prospects for
   improvement``, continued by the title's words from the preposition after that word;
2. a *capability* (a label of several words that a scale heading ends with, after who has it:
   "An organisation which shows weaknesses in processes and performance"): ``an organisation
   which shows weaknesses in processes and performance``;
3. a *rating* (anything else, e.g. "Fair" for "How good is the service?"): ``a 'fair',
   one-star service``, the noun being the title's last word, stars where the scale has them.

The sentence is the rating, then ``with`` the prospects; a framework with prospects only takes
its subject from the scale's column heading ("An organisation with uncertain prospects...");
capabilities follow after a semicolon. A framework whose scales have no labels (CAA) has no
sentence: its scores are shown as numbers, as the source gives them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kloe_nb.framework.model import Framework, Judgement, Scale, ScaleLevel
from kloe_nb.scoring.score import Scores

_NUMBER_WORDS = {0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
_PREPOSITIONS = {"for", "of", "in", "to", "on", "at", "with", "by"}
_WORD = re.compile(r"[\w'’-]+")


@dataclass(frozen=True)
class Phrase:
    """One judgement's part of the sentence, and what kind of part it is."""

    kind: str  # "rating", "prospect" or "capability"
    text: str
    subject: str = ""  # for a prospect: who has it, from the scale heading ("an organisation")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _level(scale: Scale, number: int) -> ScaleLevel | None:
    return next((level for level in scale.levels if level.level == number), None)


def _heading_pattern(scale: Scale) -> tuple[str, str] | None:
    """(prefix, suffix) around a label in the scale's column headings ("An organisation with", "for improvement").

    Only a heading that contains its own level's label, with words before it that are not a
    level number ("Level 3 Good" is a heading that only repeats the label).
    """
    for level in scale.levels:
        if not level.heading or not level.label:
            continue
        at = level.heading.lower().find(level.label.lower())
        if at < 0:
            continue
        prefix = level.heading[:at].strip()
        suffix = level.heading[at + len(level.label) :].strip()
        if prefix and not re.search(r"\d", prefix):
            return prefix.lower(), suffix.lower()
    return None


def phrase(judgement: Judgement, scale: Scale, number: int) -> Phrase | None:
    """The phrase for one judgement at one level, or None where the scale gives no label."""
    level = _level(scale, number)
    if level is None or not level.label:
        return None
    label = level.label.strip()
    title_words = [word.lower() for word in _words(judgement.title)]
    label_words = [word.lower() for word in _words(label)]
    pattern = _heading_pattern(scale)
    if len(label_words) > 1 and label_words[-1] in title_words:  # a prospect: the label names what the title asks about
        after = title_words[len(title_words) - 1 - title_words[::-1].index(label_words[-1]) + 1 :]
        start = next((i for i, word in enumerate(after) if word in _PREPOSITIONS), len(after))
        tail = " ".join(after[start:])
        subject = ""
        if pattern:
            prefix = pattern[0]
            subject = re.sub(r"\s+(with|which|that)$", "", prefix)
        return Phrase("prospect", " ".join(part for part in (label.lower(), tail) if part), subject)
    if pattern and pattern[1] == "" and len(label_words) > 2:  # a capability: "an organisation which <label>"
        return Phrase("capability", f"{pattern[0]} {label[0].lower()}{label[1:]}")
    noun = title_words[-1] if title_words else "service"
    stars = f", {_NUMBER_WORDS.get(level.stars, str(level.stars))}-star" if level.stars is not None else ""
    article = "an" if label.lower()[0] in "aeiou" else "a"
    return Phrase("rating", f"{article} '{label.lower()}'{stars} {noun}")


def judgement_sentence(framework: Framework, scores: Scores) -> str | None:
    """The overall judgement in the framework's words, from the decided levels (None if nothing to say)."""
    phrases: list[Phrase] = []
    for judgement in framework.judgements:
        result = scores.judgements.get(judgement.id)
        if not judgement.scored or judgement.scale is None or result is None or result.level is None:
            continue
        found = phrase(judgement, framework.scale(judgement.scale), result.level)
        if found is not None:
            phrases.append(found)
    ratings = [p.text for p in phrases if p.kind == "rating"]
    prospects = [p for p in phrases if p.kind == "prospect"]
    capabilities = [p.text for p in phrases if p.kind == "capability"]
    parts: list[str] = []
    if ratings or prospects:
        subject = " and ".join(ratings) or next((p.subject for p in prospects if p.subject), "") or "a service"
        with_part = " and ".join(p.text for p in prospects)
        parts.append(f"{subject} with {with_part}" if with_part else subject)
    parts += capabilities
    return "; ".join(parts) or None
