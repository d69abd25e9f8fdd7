"""What a notebook page needs to know about where it runs: in the Voila app or in JupyterLab, and
which UI language the browser asked for.

In the app (`dispute-playbook app`) Voila keeps a preheated kernel per notebook: the notebook runs,
and the form is built and a first case decided, before anyone asks for the page. The language comes
with the request (`?lang=zh`): a thread waits for it and relabels then, while every cell has already
finished -- so Voila sends the whole page the moment it is asked for, as it does for a trivial notebook
(a cell waiting for the request would hold the page's HTML back until the kernel answered).
"""
from __future__ import annotations

import os
from urllib.parse import parse_qs

from ..playbook.labels import UI_LANGUAGES


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


def follow_page_language(switch, default: str = "en", warm_up=None):
    """Set a language switch to the page's language. In a preheated kernel, first `warm_up()` (nobody
    is waiting yet), then return at once: a thread waits for the request and sets the switch, so the
    cell ends and the page's HTML is ready before the request. Returns that thread (None elsewhere)."""
    if not preheating():
        switch.value = requested_language(default)
        return None
    if warm_up is not None:
        warm_up()
    import threading

    def apply():  # widget changes are thread-safe to send: ipykernel's iopub socket queues them
        switch.value = requested_language(default)
    thread = threading.Thread(target=apply, name="dp-page-language", daemon=True)
    thread.start()
    return thread


def no_null_titles(widget) -> None:
    """Give every widget in the tree an empty tooltip where it has none: ipywidgets 8 otherwise writes
    title="null" on the widget's (empty) description label, which browsers show on hover."""
    if getattr(widget, "tooltip", "") is None:
        widget.tooltip = ""
    for child in getattr(widget, "children", ()):
        no_null_titles(child)


def shown_on_page(action, show):
    """`action` as a widget callback whose toolkit errors are given to `show` (to put on the page).

    Raised in a callback, an error only reaches the server's log, and the page seems dead: a trainee
    presses Recommend and nothing happens. The playbook is read again when a trainer edits it while
    pages are open, so a mistake in the edit (a PlaybookError naming file and line) meets pages there.
    Only the toolkit's own errors are caught: they carry a message written for people."""
    import functools

    from ..core.exceptions import PlaybookToolError

    @functools.wraps(action)
    def callback(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except PlaybookToolError as exc:
            show(exc)
            return None
    return callback
