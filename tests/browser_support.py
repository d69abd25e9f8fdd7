"""Shared by the browser tests and bench/bench_browser.py: Debian's chromium driven by Playwright,
and the Voila app started on a free localhost port and stopped by its PID.

Nothing here skips: a missing browser or a server that will not start is a failure.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat

from helpers.app.server import free_port, page_url, stop, wait_until_up

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("DISPUTE_PLAYBOOK_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium floods the closed network with refused connections.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 4200}  # tall: the whole form and its result fit one screenshot


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"no chromium at {CHROMIUM}: run scripts/setup.sh (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


@contextmanager
def voila_app(notebooks=NOTEBOOKS, log_path=None, extra=()):
    """`dispute-playbook app` (the real command, with `extra` arguments) on a free port; yields (port, process)."""
    port = free_port()
    cli = Path(sys.executable).with_name("dispute-playbook")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "helpers"]
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(command + ["app", "--port", str(port), "--notebooks", str(notebooks), "--verbose",
                             *extra],
                            stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        wait_until_up(proc, f"http://127.0.0.1:{port}/dp/status", timeout=90)
        yield port, proc
    finally:
        stop(proc, grace=20)
        if log_path:
            log.close()


def open_page(browser, port: int, notebook: str, timeout_ms: int = 90_000, viewport=VIEWPORT):
    """A fresh page on the notebook (`browser`: a Browser or a BrowserContext), returned once the
    form's Recommend button is on screen. Close it with close_page so its kernel ends."""
    page = browser.new_page()
    console = []  # what the page said, for the failure message if the form never shows
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"[:300]))
    page.set_viewport_size(viewport)
    page.goto(page_url(port, notebook), timeout=timeout_ms)
    try:
        page.wait_for_selector(".dp-recommend, .dp-lang-switch", state="visible", timeout=timeout_ms)
    except Exception as exc:
        shot = screenshot(page, f"never-ready-{notebook}-{os.getpid()}")
        text = page.evaluate("() => document.body ? document.body.innerText.slice(0, 600) : ''")
        raise AssertionError(f"{notebook}: the form did not show within {timeout_ms / 1000:.0f} s ({exc}); "
                             f"screenshot {shot}; page text: {text!r}; console: {console[-15:]}") from None
    return page


def close_page(page) -> None:
    """Close a page as a browser tab closes: beforeunload runs, so the page's beacon ends its kernel.
    (In a context of its own, Playwright closes the context at once and the beacon is lost.)"""
    page.close(run_before_unload=True)


def app_status(port: int) -> dict:
    """The app's kernel counts (helpers.app.voila_app.StatusHandler)."""
    import json
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/dp/status", timeout=10) as response:
        return json.load(response)


def kernel_processes(server) -> list:
    """The kernel processes under the app's process tree."""
    import psutil
    out = []
    for p in psutil.Process(server.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def notebook_parameters(name: str) -> dict:
    """The values of a notebook's parameters cell (plain assignments of literals)."""
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", ()))
    values = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
