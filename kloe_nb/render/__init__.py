"""The shared page layer: everything a page needs, whichever producer fills it.

``environment`` (the escaping Jinja environment and its naming filters), ``sections`` (a
section notebook's tagged outputs and JSON summary), ``exporter`` (nbconvert: an executed
notebook to one self-contained page, tagged outputs chosen by a preprocessor), ``inert`` (the
checks every page passes before it is written), ``charts`` and ``labels``; and the framework
views: ``handbook`` (HTML) and ``terminal`` / ``score_text`` (text), with ``terminal_text``
(control characters shown as escapes in everything the commands print).
"""
