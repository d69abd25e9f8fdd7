"""`dispute-playbook app`: serve the notebooks with Voila (arguments only; the work is in helpers.app)."""
from __future__ import annotations

from ..app.server import CULL_IDLE_SECONDS, MAX_KERNELS, REFILL_DELAY


def cmd_app(args) -> int:
    from ..app.server import run_app_cli
    return run_app_cli(args)


def register(sub) -> None:
    """Add this area's subcommands to the `dispute-playbook` parser."""
    a = sub.add_parser("app", help="serve the dispute notebooks as a web app (Voila, localhost, code hidden)")
    a.add_argument("--port", type=int, default=8866, help="port on localhost (default 8866; 0 picks a free one)")
    a.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    a.add_argument("--notebooks", help="folder of notebooks to serve (default: the bundled notebooks/)")
    a.add_argument("--open", action="store_true", help="open the start page in the default web browser")
    a.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for Voila to start")
    a.add_argument("--max-kernels", type=int, default=MAX_KERNELS,
                   help=f"most pages open at once; one more gets a 'the app is full' page (default {MAX_KERNELS}; 0: no limit)")
    a.add_argument("--pool-size", type=int, default=1,
                   help="preheated kernels kept ready per notebook, so pages open fast (default 1; 0: none)")
    a.add_argument("--refill-delay", type=float, default=REFILL_DELAY,
                   help="seconds after a page takes a preheated kernel before the next one starts warming, so the "
                        f"page that just opened is not slowed by it (default {REFILL_DELAY:g})")
    a.add_argument("--cull-idle", type=int, default=CULL_IDLE_SECONDS,
                   help=f"end a kernel whose page is gone after this many idle seconds (default {CULL_IDLE_SECONDS})")
    a.add_argument("--also", action="append", metavar="NOTEBOOK",
                   help="also serve this notebook of the folder (only the trainee notebooks are served otherwise)")
    a.add_argument("--verbose", action="store_true", help="show Voila's log")
    a.set_defaults(func=cmd_app)
