"""`dispute-playbook app`: the notebooks as a web app with Voila, on localhost, code hidden.

Also what the browser tests and the browser benchmark use to start and stop a Voila server.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..core.exceptions import ResourceError, UsageError
from ..core.paths import NOTEBOOKS_DIR
from .limits import CULL_IDLE_SECONDS, MAX_KERNELS, REFILL_DELAY  # noqa: F401  (the defaults, also importable without the server)


def free_port(host: str = "127.0.0.1", port: int = 0) -> int:
    """`port` if it can be listened on at `host` (0: any free one); OSError (EADDRINUSE: taken) if not."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a port in TIME_WAIT is free
        s.bind((host, port))
        return s.getsockname()[1]


TEMPLATES = Path(__file__).resolve().parent / "share"  # share/voila/templates/dispute: the trainee page


def voila_command(root, port: int, ip: str = "127.0.0.1", max_kernels: int = MAX_KERNELS, pool_size: int = 1,
                  cull_idle: int = CULL_IDLE_SECONDS, also=(), refill_delay: float = REFILL_DELAY) -> list[str]:
    """The trainee app (helpers.app.voila_app) serving a folder of notebooks; sources stripped.

    Kernels: a closed or reloaded page ends its own; one left by a page that vanished without saying
    so (a crashed browser, a dropped network) is culled once it has been idle and unconnected for
    `cull_idle` seconds (jupyter_server's MappingKernelManager culler, checked every minute); at most
    `max_kernels` pages at once; `pool_size` preheated kernels wait per notebook (Voila's pool), the
    next one starting to warm `refill_delay` seconds after a page takes one.
    """
    return [sys.executable, "-m", "helpers.app.voila_app", str(root), "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}", "--Voila.port_retries=0", "--strip_sources=True", "--show_tracebacks=False",
            "--template=dispute", "--VoilaConfiguration.allow_template_override=NO",
            "--VoilaConfiguration.allow_theme_override=NO",
            f"--max-kernels={max_kernels}", f"--pool-size={pool_size}", f"--VoilaKernelManager.fill_delay={refill_delay}",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle}", "--MappingKernelManager.cull_interval=60",
            "--MappingKernelManager.cull_connected=False",
            # kernels talk over Unix sockets, not TCP ports: ports picked free by one server can be taken
            # by another server's kernel before they are bound (seen as "Address already in use" and a
            # page that never loads), and a socket file is readable by its owner only
            "--KernelManager.transport=ipc",
            *(f"--also={name}" for name in also)]


def server_env() -> dict:
    """The environment for the server: Jupyter also looks in helpers/app/share for the page template."""
    env = dict(os.environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p)
    return env


def page_url(port: int, notebook: str = "start.ipynb", ip: str = "127.0.0.1", folder: bool = True) -> str:
    """The address of a notebook served from a folder (`/voila/render/NAME`), or of a single notebook (`/`)."""
    return f"http://{ip}:{port}/voila/render/{notebook}" if folder else f"http://{ip}:{port}/"


def start_voila(root, port: int, ip: str = "127.0.0.1", log=None, **options) -> subprocess.Popen:
    return subprocess.Popen(voila_command(root, port, ip, **options), stdout=log or subprocess.DEVNULL,
                            stderr=subprocess.STDOUT if log else subprocess.DEVNULL, start_new_session=True,
                            env=server_env())


def wait_until_up(proc: subprocess.Popen, url: str, timeout: float = 60.0) -> float:
    """Poll `url` until HTTP 200; seconds taken. Raises RuntimeError if the server exits or never answers."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"voila did not serve {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the server's own PID (and its kernels, which share its session), then SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(grace)


def run_app_cli(args) -> int:
    from ..playbook.validate import load_checked
    load_checked()  # the app refuses a playbook `validate` rejects (PlaybookError, exit 3)
    root = Path(args.notebooks or NOTEBOOKS_DIR)
    if not (root / "start.ipynb").exists():
        raise UsageError(f"--notebooks {root} holds no start.ipynb; point --notebooks at the notebooks folder")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0–65535; 0 picks a free one)")
    import errno
    try:
        port = free_port(args.ip, args.port)  # a port another program holds is said now, not as "voila exited"
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ResourceError(f"port {args.port} on {args.ip} is in use by another program; choose another "
                                "--port, or --port 0 for any free one") from None
        raise ResourceError(f"cannot listen on {args.ip}: {exc.strerror or exc}; use --ip 127.0.0.1") from None
    if args.max_kernels < 0 or args.pool_size < 0 or args.refill_delay < 0:
        raise UsageError("--max-kernels, --pool-size and --refill-delay must be 0 or more")
    proc = start_voila(root, port, args.ip, log=sys.stderr if args.verbose else None, max_kernels=args.max_kernels,
                       pool_size=args.pool_size, cull_idle=args.cull_idle, also=args.also or (),
                       refill_delay=args.refill_delay)

    try:
        try:
            wait_until_up(proc, f"http://{args.ip}:{port}/dp/status", timeout=args.timeout)
        except RuntimeError as exc:
            raise ResourceError(f"{exc}; run with --verbose to see Voila's log") from None
        url = page_url(port, ip=args.ip)
        print(f"Dispute Playbook is served at {url}  (Ctrl-C to stop)", flush=True)
        if args.open:
            import webbrowser
            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (cli's Terminated): a server's way to stop
        return 0
    finally:
        stop(proc)
