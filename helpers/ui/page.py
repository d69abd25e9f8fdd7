"""What a notebook page needs to know about where it runs: in the Voila app or in JupyterLab, and
which UI language the browser asked for.

In the app (`dispute-playbook app`) Voila keeps a preheated kernel per notebook: the notebook runs,
and the form is built and a first chart drawn, before anyone asks for the page. The language comes
with the request (`?lang=zh`), so the page waits for it at the end of its cell, then relabels.
"""
from __future__ import annotations

import os
from urllib.parse import parse_qs

from .labels import UI_LANGUAGES


def in_app() -> bool:
    """True in a kernel Voila started (the app), False in JupyterLab, papermill or a script."""
    return "VOILA_BASE_URL" in os.environ or "VOILA_PREHEAT" in os.environ


def preheating() -> bool:
    """True in a kernel Voila started before any page asked for it."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def requested_language(default: str = "en") -> str:
    """The page's `?lang=` (en or zh); `default` outside the app or when the address names none.
    In a preheated kernel this waits until a browser asks for the page."""
    if not in_app():
        return default
    if preheating():
        from voila.utils import wait_for_request
        wait_for_request()
    code = parse_qs(os.environ.get("QUERY_STRING", "")).get("lang", [""])[0]
    return code if code in UI_LANGUAGES else default


def follow_page_language(switch, default: str = "en", warm_up=None) -> str:
    """Set a language switch to the page's language; before waiting for the request, `warm_up()`
    (in a preheated kernel only, where nobody is waiting yet). Returns the language."""
    if warm_up is not None and preheating():
        warm_up()
    lang = requested_language(default)
    switch.value = lang
    return lang


def no_null_titles(widget) -> None:
    """Give every widget in the tree an empty tooltip where it has none: ipywidgets 8 otherwise writes
    title="null" on the widget's (empty) description label, which browsers show on hover."""
    if getattr(widget, "tooltip", "") is None:
        widget.tooltip = ""
    for child in getattr(widget, "children", ()):
        no_null_titles(child)
