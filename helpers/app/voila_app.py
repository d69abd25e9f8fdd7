"""The Voila server behind `dispute-playbook app`: Voila 0.5 with the trainee's rules on top.

Run as `python -m helpers.app.voila_app FOLDER [Voila options]` (helpers.app.server builds the command).
On top of plain Voila it
  - serves only the trainee notebooks (TRAINEE_NOTEBOOKS plus any `--DisputeApp.also=NAME`); the
    root URL is the start page; every other path is a readable "not here" page;
  - sets the `_xsrf` cookie on every page, so the page's own "shut my kernel down" beacon on close or
    reload (`POST /voila/api/shutdown/<id>`, which sends that cookie's value) is accepted instead of
    refused with 403 -- Voila's lab template never sets the cookie itself;
  - refuses the page after `max_kernels` pages are open with a readable page (HTTP 503);
  - answers `GET /dp/status` with the kernel counts (pages open, kernels warming in the pool) and,
    with `?kernel=ID`, whether that kernel still runs (a page polls it for its "session ended" notice);
  - shuts down kernels that died (never restarted blank) before a page or the counts are served,
    and warms a new one in place of a pool kernel that died;
  - neither runs nor shows cells tagged `jupyter-only` (VoilaExecutor.skip_cells_with_tag);
  - waits for a cell's outputs as long as a slow cell may take (nbclient drops them after 4 s).
Idle-kernel culling and the preheated pool are plain Voila / jupyter_server settings
(helpers.app.server.voila_command).
"""
from __future__ import annotations

import html
import json
import sys

import tornado.web
from traitlets import Integer, List, Unicode

from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from ..ui.notebook_run import IOPUB_TIMEOUT

TRAINEE_NOTEBOOKS = ("start.ipynb", "not_received.ipynb", "not_as_described.ipynb", "damaged.ipynb",
                     "cancellation.ipynb", "workshop.ipynb")
START = "start.ipynb"
JUPYTER_ONLY = "jupyter-only"  # the cell tag of what only JupyterLab users see

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;line-height:1.5}}
a{{color:#0b57d0;text-decoration:underline}}</style></head><body>{body}</body></html>"""


def simple_page(title: str, paragraphs: list[str], home: str) -> str:
    """A small bilingual page (full app, unknown address); every text is escaped."""
    body = f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    body += f'<p><a class="dp-home" href="{html.escape(home)}">Start page · 开始页</a></p>'
    return PAGE.format(lang="en", title=html.escape(title), body=body)


def pool_kernel_count(km) -> int:
    """Kernels waiting in Voila's preheated pool (each pool entry is one kernel, started or starting)."""
    return sum(len(pool) for pool in getattr(km, "_pools", {}).values())


def pool_ready_count(km) -> int:
    """Pool kernels that have run their notebook and wait for a page."""
    return sum(1 for pool in getattr(km, "_pools", {}).values() for task in pool if task.done() and not task.exception())


async def end_dead_kernels(km) -> int:
    """Shut down every kernel whose process has ended (out of memory, killed, crashed), so none is
    handed to a page and none counts toward max_kernels; a pool that lost its warm kernel starts
    another at once. Returns how many ended.

    Kernels are not restarted when they die (DisputeApp sets KernelManager.autorestart off): a
    restarted kernel is blank, and Voila would still serve a warm one's page as it rendered it, with
    a form whose widgets the new kernel never made ("model not found")."""
    import inspect
    dead = []
    for kernel_id in list(km.list_kernel_ids()):
        try:
            kernel = km.get_kernel(kernel_id)
        except KeyError:  # shut down meanwhile
            continue
        if kernel.shutting_down:  # a closed page's own shutdown under way: its process is ending
            continue
        alive = kernel.is_alive()
        alive = await alive if inspect.isawaitable(alive) else alive
        if not alive:
            dead.append(kernel_id)
    if not dead:
        return 0
    pools = getattr(km, "_pools", {})
    lost = [name for name, pool in pools.items()
            if any(task.done() and not task.exception() and task.result().get("kernel_id") in dead for task in pool)]
    for kernel_id in dead:
        try:
            await km.shutdown_kernel(kernel_id, now=True)  # Voila's also takes it out of its pool
        except Exception as exc:  # noqa: BLE001 -- a dead kernel's cleanup must not cost the page
            km.log.warning("kernel %s had died; shutting it down failed: %s", kernel_id, exc)
    for name in lost:
        km.fill_if_needed(delay=0, notebook_name=name)
    km.log.warning("%d kernel(s) had died and were shut down: %s", len(dead), ", ".join(dead))
    return len(dead)


def pages_open(km) -> int:
    """Kernels serving a page: every kernel the server runs, less those still waiting in the pool."""
    return max(0, len(km.list_kernel_ids()) - pool_kernel_count(km))


class TraineePageHandler(TornadoVoilaHandler):
    """A notebook page, if it is a trainee notebook and the server has room for one more page."""

    def initialize(self, **kwargs):
        self.allowed = kwargs.pop("allowed")
        self.max_kernels = kwargs.pop("max_kernels")
        super().initialize(**kwargs)

    @tornado.web.authenticated
    async def get(self, path=None):
        home = self.base_url + "voila/render/" + START
        name = (path or "").strip("/")
        if name not in self.allowed:
            self.set_status(404)
            self.finish(simple_page("Page not found · 找不到此页", [
                f"This app has no page called {name!r}. Open the start page and pick a dispute type.",
                f"本应用没有名为 {name!r} 的页面。请打开开始页，选择纠纷类型。"], home))
            return
        await end_dead_kernels(self.kernel_manager)
        if self.max_kernels and pages_open(self.kernel_manager) >= self.max_kernels:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.finish(simple_page("The app is full · 当前人数已满", [
                f"{self.max_kernels} pages are open on this server, the most it serves at once. Close a page "
                "you no longer use (or wait a minute), then reload this one.",
                f"服务器同时最多打开 {self.max_kernels} 个页面，现已用满。请关闭不用的页面（或稍等一分钟）后刷新本页。"],
                home))
            return
        code = self.get_cookie("dp_lang")
        if self.get_argument("lang", None) is None and code in ("en", "zh"):  # the language chosen last time
            sep = "&" if self.request.query else ""
            self.redirect(f"{self.request.path}?{self.request.query}{sep}lang={code}")
            return
        self.xsrf_token  # noqa: B018 -- sets the _xsrf cookie the page's shutdown beacon sends back
        await super().get(path)


class RedirectHome(tornado.web.RequestHandler):
    def get(self, *_, **__):
        query = ("?" + self.request.query) if self.request.query else ""
        self.redirect(self.settings["base_url"] + "voila/render/" + START + query)


class NotHere(tornado.web.RequestHandler):
    """Any other address: a readable page with a link to the start page (not Tornado's bare 404)."""

    def get(self, *_, **__):
        self.set_status(404)
        self.finish(simple_page("Page not found · 找不到此页", [
            "This app has no such page. Open the start page and pick a dispute type.",
            "本应用没有此页面。请打开开始页，选择纠纷类型。"], self.settings["base_url"] + "voila/render/" + START))


class StatusHandler(tornado.web.RequestHandler):
    async def get(self):
        km = self.settings["kernel_manager"]
        await end_dead_kernels(km)
        status = {"pages_open": pages_open(km), "kernels": len(km.list_kernel_ids()),
                  "pool": pool_kernel_count(km), "pool_ready": pool_ready_count(km),
                  "max_kernels": self.settings["dp_max_kernels"]}
        kernel = self.get_argument("kernel", "")
        if kernel:  # a page asking after its own kernel (its "session ended" notice)
            status["kernel_alive"] = kernel in km.list_kernel_ids()
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(status))


class DisputeApp(Voila):
    """Voila serving a folder of notebooks as the trainee app."""

    name = "dispute-playbook-app"
    max_kernels = Integer(40, config=True, help="Most pages open at once (0: no limit); one more is refused.")
    also = List(Unicode(), config=True, help="Notebooks served besides the trainee notebooks.")
    pool_size = Integer(1, config=True, help="Preheated kernels kept ready per served notebook (0: none).")
    aliases = {**Voila.aliases, "max-kernels": "DisputeApp.max_kernels", "also": "DisputeApp.also",
               "pool-size": "DisputeApp.pool_size"}

    def served(self) -> set[str]:
        return set(TRAINEE_NOTEBOOKS) | set(self.also)

    def initialize(self, argv=None):
        super().initialize(argv)
        # A warm kernel per served notebook, none for the others in the folder (Voila's pool config).
        pools = {"default": {"pool_size": 0}, **{nb: {"pool_size": self.pool_size} for nb in self.served()}}
        self.config.VoilaKernelManager.kernel_pools_config = pools
        self.voila_configuration.preheat_kernel = self.pool_size > 0
        # Developer material (command lines, the parameters' example result) is neither shown (the
        # template) nor run: nbclient skips cells with this tag. JupyterLab, nbval and papermill run them.
        self.config.VoilaExecutor.skip_cells_with_tag = JUPYTER_ONLY
        # nbclient waits only 4 s for a cell's outputs after the kernel says the cell ran; on a busy
        # server (a room opening pages while kernels warm) they come later and are dropped without
        # an error: the page arrives without its form. Wait as long as a slow cell may take instead.
        self.config.VoilaExecutor.iopub_timeout = IOPUB_TIMEOUT
        # A page run while its browser is open (no warm kernel left) gets comm messages from the form
        # meanwhile, and nbclient can then miss the wake-up for a cell's reply and wait for ever
        # (jupyter/nbclient#312). With a cell timeout its poll times out and looks again, finding the
        # reply: a missed wake-up costs that long, not the page. No trainee cell takes near as long.
        self.config.VoilaExecutor.timeout = IOPUB_TIMEOUT
        # A kernel that dies stays dead (see end_dead_kernels): restarted, it would be blank under a
        # page rendered by the kernel that died.
        self.config.KernelManager.autorestart = False

    def init_handlers(self):
        allowed = self.served()
        handlers = []
        for pattern, handler, *rest in super().init_handlers():
            if handler is TornadoVoilaHandler:
                handler, rest = TraineePageHandler, [{**rest[0], "allowed": allowed, "max_kernels": self.max_kernels}]
            elif pattern.rstrip("/") == self.server_url.rstrip("/") or "/voila/tree" in pattern:
                handler, rest = RedirectHome, []
            elif "/voila/api/contents" in pattern:
                continue  # no file listing
            handlers.append((pattern, handler, *rest))
        self.app.settings["dp_max_kernels"] = self.max_kernels
        return [(self.server_url + "dp/status", StatusHandler), *handlers, (self.server_url + ".*", NotHere)]


if __name__ == "__main__":
    sys.exit(DisputeApp.launch_instance())
