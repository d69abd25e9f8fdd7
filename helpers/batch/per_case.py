"""Per-case audit notebooks: the dispute type's notebook executed once per case, in parallel.

`papermill` once per case starts a Python, a kernel and a client each time (about two seconds).
Here each worker process starts one kernel and one client and keeps them. A notebook, parameterised
exactly as papermill does it (an `injected-parameters` cell after the `parameters` cell), goes to
the kernel as one request (each request costs the kernel and client ~3 ms, more than most cells):
in the kernel, `run_cells` resets the namespace (`%reset -f`), sets the execution counter back to 1
and runs the cells one by one as IPython cells, each under a parent header of its own (the request's
id and the cell's number), so every output message says which cell it belongs to; the kernel
remembers IPython's text-only work on the cells it has seen (`_remember_cell_texts`). Each
notebook is written on a thread while the kernel runs the next (`Runner.run_many`). Outputs equal
a fresh kernel's under papermill (a test compares). A failing notebook is saved with its error and
recorded in notebook_errors.csv; the others go on.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import multiprocessing as mp
import re
import sys
from pathlib import Path

from ..core.fields import FIELDS, NUMERIC_KINDS
from ..core.paths import NOTEBOOKS_DIR

_IN_KERNEL = "__import__('helpers.batch.per_case', fromlist=['run_cells'])"  # this module, as the kernel imports it
_LAST_RUN = {"cells": 0}  # kernel side: how many cells the last run_cells ran (read back in its reply)
_UNSAFE = re.compile(r"[^\w.-]+")  # letters of any script stay: 订单1 is a readable file name


def notebook_name(case_id: str) -> str:
    """A file name for a case_id: readable, and distinct even when two ids clean up alike."""
    safe = _UNSAFE.sub("_", case_id).strip("._")[:80] or "case"
    if safe != case_id:
        safe += "-" + hashlib.sha256(case_id.encode()).hexdigest()[:8]
    return safe + ".ipynb"


def case_parameters(cols: dict, i: int) -> dict:
    """Row i of engine columns as contract values for a parameters cell (None: unknown)."""
    out = {}
    for f in FIELDS:
        v = cols[f.name][i]
        if f.kind in NUMERIC_KINDS or f.kind == "enum":
            if v != v:  # NaN
                out[f.name] = None
            elif f.kind == "date":
                out[f.name] = _dt.date.fromordinal(int(v)).isoformat()
            elif f.kind == "enum":
                out[f.name] = f.choices[int(v)]
            elif f.kind == "bool":
                out[f.name] = bool(v)
            elif f.kind == "int":
                out[f.name] = int(v)
            else:
                out[f.name] = float(v)
        else:
            out[f.name] = v if v != "" else None
    return out


class NotebookError(Exception):
    """A cell raised: `text` is its `ename: evalue`."""


class Runner:
    """One started kernel and blocking client, reused for notebook after notebook.

    A notebook's code cells are all sent at once (the kernel queues them, so no cell waits for a round
    trip after the one before); their outputs are collected by request, as nbclient collects them.
    After a cell fails the kernel aborts the cells queued behind it (`stop_on_error`), as nbclient
    stops at the first error."""

    def __init__(self, kernel_name: str = "python3", timeout: int = 300):
        import tempfile

        from jupyter_client import KernelManager
        self.timeout, self.kernel_name = timeout, kernel_name
        # Unix sockets in a short private folder, not TCP ports: ports picked free by one batch can be
        # taken by another batch's kernel before they are bound, and that kernel dies at start
        self.sockets = tempfile.TemporaryDirectory(prefix="dp-kernel-")
        self.km = KernelManager(kernel_name=kernel_name, transport="ipc",
                                connection_file=str(Path(self.sockets.name) / "kernel.json"))
        # errors still show; informational start-up lines would reach the analyst once per worker
        self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self._sources = {}

    def _notebook(self, source: Path, parameters: dict, output: Path):
        """The notebook parameterised as papermill does it (an `injected-parameters` cell)."""
        import copy

        from nbformat import NotebookNode
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook
        if source not in self._sources:
            self._sources[source] = load_notebook_node(str(source))  # papermill's reader: cells get tags
        kept = self._sources[source]
        # a copy of what papermill and the run change (the metadata, the list of cells, each cell's
        # outputs and count); cell texts and cell metadata are shared, never changed: a deep copy of
        # the whole notebook was 1.5 ms of the ~20 ms a notebook takes
        nb = NotebookNode({**kept, "metadata": copy.deepcopy(kept.metadata),
                           "cells": [NotebookNode({**cell}) for cell in kept.cells]})
        return parameterize_notebook(nb, {**parameters, "PAPERMILL_OUTPUT_PATH": str(output)},
                                     kernel_name=self.kernel_name)

    def run(self, source: Path, parameters: dict, output: Path, cwd: Path | None = None):
        """Execute `source` with `parameters` into `output`; returns None or the error text."""
        return next(self.run_many([(source, parameters, output)]))

    def run_many(self, jobs):
        """Each job's (source, parameters, output) executed and written, in order: yields its error
        text (None: it ran) once its notebook is on disk. A notebook is written on a thread while the
        kernel runs the next one: written in turn, the kernel waited ~4 ms a notebook, a fifth of one.
        A job that fails is recorded as failed and the next one runs."""
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispute-playbook-notebook") as writer:
            previous = None
            for source, parameters, output in jobs:
                try:
                    nb = self._notebook(Path(source), parameters, output)
                except Exception as exc:  # noqa: BLE001 — parameters papermill cannot write: this case only
                    current = (f"{type(exc).__name__}: {exc}", None)
                else:
                    current = (self._executed(nb), writer.submit(_write_notebook, nb, Path(output)))
                if previous is not None:
                    yield _once_written(*previous)
                previous = current
            if previous is not None:
                yield _once_written(*previous)

    def _executed(self, nb):
        """Run a parameterised notebook in the kernel (outputs kept in `nb`); None or the error text."""
        try:
            self._execute(nb)
        except NotebookError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 — a dead kernel or a timeout: recorded, afresh for the next case
            error = f"{type(exc).__name__}: {exc}"
            self.restart()
            return error
        return None

    def _execute(self, nb) -> None:
        import time
        cells = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
        for cell in cells:
            cell.outputs, cell.execution_count = [], None
        request = self.kc.execute(f"{_IN_KERNEL}.run_cells({[c.source for c in cells]!r})", silent=True,
                                  store_history=False, allow_stdin=False, stop_on_error=True,
                                  user_expressions={"cells": f"{_IN_KERNEL}.cells_run()"})
        by_parent = {cell_parent(request, k): cell for k, cell in enumerate(cells)}
        reply, idle, failed = None, False, None
        deadline = time.monotonic() + self.timeout
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the notebook did not finish within {self.timeout} s")
            for msg in self._messages(left):
                parent, kind, content = msg["parent_header"].get("msg_id"), msg["msg_type"], msg["content"]
                if parent == request:
                    if kind == "execute_reply":
                        reply = content
                    elif kind == "status":
                        idle = idle or content["execution_state"] == "idle"
                    continue
                cell = by_parent.get(parent)
                if cell is None:
                    continue
                if kind == "clear_output":
                    cell.outputs = []
                elif kind in ("stream", "display_data", "execute_result", "error"):
                    cell.outputs.append(_output(kind, content))
                    if kind == "error" and failed is None:
                        failed = f"{content['ename']}: {content['evalue']}"
        if reply["status"] != "ok":  # the driver itself failed (not a cell)
            raise NotebookError(failed or f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}")
        ran = int(reply["user_expressions"]["cells"]["data"]["text/plain"])
        for k, cell in enumerate(cells[:ran]):
            cell.execution_count = k + 1
        if failed is not None:
            raise NotebookError(failed)

    def _messages(self, timeout: float) -> list:
        """The messages ready on the kernel's reply and output channels, waiting up to `timeout` (at
        most a second, then the kernel is checked to be alive)."""
        import zmq
        poller = zmq.Poller()
        channels = (self.kc.shell_channel, self.kc.iopub_channel)
        for channel in channels:
            poller.register(channel.socket, zmq.POLLIN)
        ready = dict(poller.poll(int(min(timeout, 1) * 1000)))
        if not ready and not self.km.is_alive():
            raise RuntimeError("the kernel died")
        msgs = []
        for channel in channels:
            while channel.msg_ready():
                msgs.append(channel.get_msg(timeout=0))
        return msgs

    def restart(self):
        self.close()
        self.__init__(self.kernel_name, self.timeout)

    def close(self):
        import signal
        try:
            self.kc.stop_channels()
        finally:
            try:
                # not shutdown_kernel(now=True): it interrupts the kernel before killing it, and an
                # interrupted kernel could log "KeyboardInterrupt caught in kernel" to the user's terminal
                self.km.signal_kernel(getattr(signal, "SIGKILL", signal.SIGTERM))
                self.km.finish_shutdown()
                self.km.cleanup_resources()
            finally:
                self.sockets.cleanup()


def cell_parent(request: str, k: int) -> str:
    """The msg_id the outputs of a notebook's k-th code cell carry as their parent."""
    return f"{request}/cell-{k}"


def run_cells(sources: list) -> None:
    """In the kernel: an empty namespace and execution count 1, as in a fresh kernel, then each source
    run as its own IPython cell (history, display hook, post-execute hooks such as matplotlib's),
    stopping at the first that fails, as nbclient does. Each cell runs under a parent header of its
    own (`cell_parent`): ipykernel buffers and sends printed text per parent, so no output is
    attributed to the wrong cell and no flush is needed between cells."""
    import gc

    from IPython import get_ipython
    from jupyter_client.session import extract_header
    shell = get_ipython()
    _remember_cell_texts(shell)
    request = shell.get_parent()
    header = extract_header(request)
    shell.run_line_magic("reset", "-f")
    shell.execution_count = 1
    gc.freeze()  # what survives is the kernel's own; later collections skip it
    _LAST_RUN["cells"] = 0
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = FlushWhenWritten(sys.stdout), FlushWhenWritten(sys.stderr)
    try:
        for k, source in enumerate(sources):
            # the request's message with its own id in the header: whatever reads the parent finds a message
            shell.set_parent({**request, "header": {**header, "msg_id": cell_parent(header["msg_id"], k)}})
            _LAST_RUN["cells"] = k + 1
            if not shell.run_cell(source, store_history=True).success:
                break
    finally:
        sys.stdout, sys.stderr = streams  # the kernel flushes its own streams when the request ends
        shell.set_parent(request)


class FlushWhenWritten:
    """In the kernel, while a notebook's cells run: sys.stdout or sys.stderr, whose flush reaches the
    kernel's stream only when text was written through it since the last flush. ipykernel flushes
    both streams before every display, and each flush waits for a round trip to its I/O thread: an
    audit notebook wrote nothing, and those waits were a quarter of its time. Printed text still goes
    out before a display that follows it. (Text that reaches the kernel's stream another way, from a C
    library writing to the file descriptor or a logging handler made before the run, may come after
    such a display: the notebooks this runs write none.)"""

    def __init__(self, stream):
        self.stream = stream
        self.written = False

    def write(self, text):
        self.written = True
        return self.stream.write(text)

    def writelines(self, lines):
        self.written = True
        return self.stream.writelines(lines)

    def flush(self):
        if self.written:
            self.written = False
            self.stream.flush()

    def __getattr__(self, name):  # everything else is the kernel's stream's own (set_parent, encoding, ...)
        return getattr(self.stream, name)


def _remember_cell_texts(shell) -> None:
    """In the kernel, once: remember the two pure functions of a cell's text that IPython works out
    for every cell — its static transforms (tokenizing every line for magics and `!`) and its code
    name (ipykernel hashes the whole text in Python). A notebook's own cells come back unchanged
    case after case, and these two were a fifth of a notebook's time. Only text is remembered: the
    transforms that depend on the namespace (automagic in one-line cells) still run every time."""
    import functools
    manager, compiler = shell.input_transformer_manager, shell.compile
    if getattr(manager, "_dispute_playbook_remembers", False):
        return
    manager.transform_cell = functools.lru_cache(maxsize=256)(manager.transform_cell)
    compiler.get_code_name = functools.lru_cache(maxsize=256)(compiler.get_code_name)
    manager._dispute_playbook_remembers = True


def cells_run() -> int:
    """In the kernel: how many cells the last run_cells ran (the failing one included)."""
    return _LAST_RUN["cells"]


_OUTPUT_FIELDS = {"execute_result": ("metadata", "data", "execution_count"), "stream": ("name", "text"),
                  "display_data": ("metadata", "data"), "error": ("ename", "evalue", "traceback")}


def _output(kind: str, content: dict):
    """nbformat's `output_from_msg`, without checking each output against the schema on its own:
    the kernel's messages have the schema's shape, and the written notebook is checked whole."""
    from nbformat import from_dict
    return from_dict({"output_type": kind, **{k: content[k] for k in _OUTPUT_FIELDS[kind]}})


def _write_notebook(nb, output: Path):
    import nbformat

    from ..iorw.atomic import atomic_write
    atomic_write(output, lambda tmp: nbformat.write(nb, tmp))


def _once_written(error, written):
    """A job's error text once its notebook is written (`written`: the write's future, or None)."""
    if written is not None:
        try:
            written.result()
        except Exception as exc:  # noqa: BLE001 — a notebook that cannot be written fails its case only
            return "; ".join(filter(None, [error, f"not written: {type(exc).__name__}: {exc}"]))
    return error


def _worker(tasks, results):
    """A worker process: one Runner, tasks until the None sentinel, then the kernel is shut down.
    Started deaf to Ctrl-C (the batch stops it); SIGTERM, the batch's stop, shuts its kernel down too."""
    import signal
    import threading
    from collections import deque
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # leaves through the `finally` below
    threading.Thread(target=_end_with, args=(mp.parent_process(),), daemon=True).start()
    runner = Runner()
    taken = deque()

    def jobs():
        for task in iter(tasks.get, None):
            taken.append(task)
            yield task[2:]
    try:
        for error in runner.run_many(jobs()):
            row, case_id, _, _, output = taken.popleft()
            results.put((row, case_id, output, error))
    finally:
        runner.close()


def _end_with(batch) -> None:
    """In a worker: when the batch's process is gone (killed, even with SIGKILL, so it could not stop
    its workers), SIGTERM to this one, which then shuts its kernel down. Before, worker and kernel
    waited for tasks for ever."""
    import os
    import signal
    from multiprocessing.connection import wait
    wait([batch.sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def run_notebooks(jobs: list, workers: int = 2, progress=None) -> list:
    """jobs: (row, case_id, source notebook, parameters, output path); returns (row, case_id, output, error)."""
    if not jobs:
        return []
    from ..core.process import interrupt_ignored_by_spawned
    ctx = mp.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(tasks, results), daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
    try:
        for p in procs:
            with interrupt_ignored_by_spawned():  # a terminal's Ctrl-C reaches them: it is ours to act on
                p.start()
        for job in jobs:
            tasks.put(tuple(str(x) if isinstance(x, Path) else x for x in job))
        for _ in procs:
            tasks.put(None)
        out = []
        for _ in jobs:
            out.append(results.get())
            if progress is not None:
                progress.update(1)
        for p in procs:
            p.join()
    except BaseException:  # Ctrl-C, or a worker gone: stop the workers; unsent tasks are dropped
        _stop(procs, tasks)
        raise
    return sorted(out)


def _stop(procs, tasks) -> None:
    """End the workers (each shuts its kernel down on SIGTERM), and let this process exit without
    waiting to send them the tasks they will never read: the queue's feeder thread blocked on a full
    pipe, and a Ctrl-C'd batch hung for ever at exit."""
    tasks.cancel_join_thread()
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
            p.join()


def run_for_batch(opts, validated) -> list:
    """--per-case-notebooks: OUT/cases/<case_id>.ipynb for every case the batch decided, from the run's
    own checked cases (`validated`: review dates included), under its playbook and --set parameters,
    so each audit notebook decides exactly as its recommendations.csv row. Failures in notebook_errors.csv."""
    import numpy as np
    import pandas as pd

    from .runner import progress_bar
    from .write import csv_bytes, safe_frame
    from ..iorw.atomic import atomic_write
    from .read import FIRST_ROW
    from .outdir import record_outputs
    out = Path(opts.out)
    folder = out / "cases"
    record_outputs(out, ("cases", "notebook_errors.csv"), add=True)  # checked before the run (check_before_work)
    folder.mkdir(parents=True, exist_ok=True)
    playbook = str(Path(opts.playbook).resolve()) if opts.playbook else None
    jobs = []
    for i in np.flatnonzero(validated.valid):
        params = case_parameters(validated.cols, i)
        params.update(interactive=False, ui_language=opts.lang, playbook=playbook,
                      playbook_params=dict(opts.params or {}))
        source = NOTEBOOKS_DIR / f"{params['dispute_type']}.ipynb"
        jobs.append((int(i) + FIRST_ROW, params["case_id"], source, params, folder / notebook_name(params["case_id"])))
    bar = progress_bar(opts, len(jobs))
    try:
        results = run_notebooks(jobs, opts.workers, bar)
    finally:
        bar.close()
    failed = [{"row": r, "case_id": c, "field": "(notebook)", "message": f"{e}; the notebook is saved at {p}"}
              for r, c, p, e in results if e]
    errors = pd.DataFrame(failed, columns=["row", "case_id", "field", "message"])
    atomic_write(out / "notebook_errors.csv",
                  lambda tmp: Path(tmp).write_bytes(csv_bytes(safe_frame(errors, ("case_id", "message")), True)))
    # which file holds which case: an id that is not a file name (a slash, a space) is cleaned and hashed
    index = pd.DataFrame([{"row": row, "case_id": case_id, "notebook": path.name} for row, case_id, _, _, path in jobs],
                         columns=["row", "case_id", "notebook"])
    atomic_write(folder / "index.csv",
                 lambda tmp: Path(tmp).write_bytes(csv_bytes(safe_frame(index, ("case_id", "notebook")), True)))
    from ..playbook.labels import ui
    return [ui("note_per_case", opts.lang).format(ran=len(results) - len(failed), failed=len(failed), folder=folder,
                                                  see=ui("note_see_notebook_errors", opts.lang) if failed else "")]
