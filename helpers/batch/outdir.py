"""One run per output folder, and a run's files replace the previous run's as one set.

A run holds `OUT/.dispute-playbook.lock` (filelock: an OS lock, released when the process ends,
even when it is killed), so a second run on the same folder stops at once, naming the first.
Under the lock, every output is first written into `OUT/.batch-state/publish/`; a `.complete`
file there lists the set; then the earlier run's outputs that are not in the set are removed, the
new files are renamed into place and `summary.json` comes last. A run killed while publishing is
finished by the next one before it starts (roll forward), so the folder never keeps a mix of two
runs; temporary files a killed run left are removed. A run removes only outputs a run of this
toolkit put there (`OUT/.dispute-playbook.outputs.json` names them): a file or folder of the user's
that happens to bear an output's name is never deleted, and a folder of that name is refused.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..core.exceptions import OutputError, PlaybookToolError
from ..iorw.tables import plain_os_error

STATE_DIR = ".batch-state"
LOCK_NAME = ".dispute-playbook.lock"
OWNER_NAME = ".dispute-playbook.owner.json"
# Everything a run may leave in OUT/ (files and folders); what a run does not write is removed.
OUTPUTS = ("recommendations.csv", "errors.csv", "recommendations.xlsx", "errors.xlsx", "summary.json", "whatif.json", "products.csv",
           "whatif_changes.csv", "report.ipynb", "report.html", "notebook_errors.csv", "cases",
           "recommendations", "whatif_changes", ".errors")
SUMMARY = "summary.json"
RECORD = ".dispute-playbook.outputs.json"  # the outputs runs of this toolkit put in OUT


class OutputBusy(PlaybookToolError):
    """Another run is writing the same output folder (exit 2: choose another --out or wait)."""


class OutputFile(PlaybookToolError):
    """--out names an existing file: an input mistake (exit 2), not an unwritable disk."""


def publish_dir(out: Path) -> Path:
    return Path(out) / STATE_DIR / "publish"


def refuse_a_file(out) -> None:
    """--out naming an existing file (cases.csv) is an input mistake (exit 2), said before anything starts;
    so is an empty --out (it would be the working folder)."""
    if not str(out).strip():
        raise OutputFile("--out is empty — name the folder the results go to (it is made when it does not exist)")
    if Path(out).exists() and not Path(out).is_dir():
        raise OutputFile(f"output folder {out}: is a file, not a folder — choose a folder for --out "
                         "(it is made when it does not exist)")


@contextmanager
def locked(out, what: str = ""):
    """Hold the output folder for one run; a second run gets OutputBusy naming the first."""
    from filelock import FileLock, Timeout
    out = Path(out)
    refuse_a_file(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"output folder {out}: {plain_os_error(exc)} — choose another --out") from None
    if not out.is_dir():
        raise OutputError(f"output folder {out}: is a file, not a folder — choose another --out")
    lock = FileLock(str(out / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputBusy(f"output folder {out} is in use by another run ({_owner(out)}) — wait for it to finish, "
                         "or choose another --out") from None
    except OSError as exc:
        raise OutputError(f"output folder {out}: {plain_os_error(exc)} — choose another --out") from None
    try:
        owner = {"pid": os.getpid(), "started": _dt.datetime.now().isoformat(timespec="seconds"), "input": what}
        (out / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
        recover(out)
        yield out
    finally:
        lock.release()


def ours(out) -> set:
    """The outputs in OUT that runs of this toolkit put there: the names the record lists. A folder
    from before the record existed is known by its summary.json (with rows, decided and rejected):
    its outputs count as ours. Anything else in OUT is the user's."""
    out = Path(out)
    try:
        names = json.loads((out / RECORD).read_text(encoding="utf-8"))
        if isinstance(names, list):
            return {n for n in names if n in OUTPUTS}
    except (OSError, ValueError):
        pass
    try:
        summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
        if isinstance(summary, dict) and {"rows", "decided", "rejected"} <= summary.keys():
            return {n for n in OUTPUTS if (out / n).exists()}
    except (OSError, ValueError):
        pass
    return set()


def record_outputs(out, names, add: bool = False) -> None:
    """Note `names` (with `add`, besides those already noted) as outputs a run put in OUT."""
    out = Path(out)
    names = sorted({n for n in names if n in OUTPUTS} | (ours(out) if add else set()))
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{RECORD}.tmp"
    tmp.write_text(json.dumps(names), encoding="utf-8")
    os.replace(tmp, out / RECORD)


def refuse_foreign_folders(out, names=None) -> None:
    """OutputError when OUT holds a folder of the user's under an output's name (`cases`,
    `recommendations`, ...): a run replaces such a folder whole, and it is not ours to delete."""
    out = Path(out)
    mine = ours(out)
    found = [n for n in (names or OUTPUTS) if n not in mine and (out / n).is_dir() and not (out / n).is_symlink()]
    if found:
        raise OutputFile(f"output folder {out}: {', '.join(found)} is a folder a run of this toolkit did not "
                          "write, and a run writes a folder of that name — move it elsewhere, or choose another --out")


def _owner(out: Path) -> str:
    try:
        o = json.loads((out / OWNER_NAME).read_text(encoding="utf-8"))
        return f"process {o['pid']}, started {o['started']}, input {o['input']}"
    except (OSError, ValueError, KeyError):
        return "process unknown"


def recover(out: Path) -> None:
    """Finish a publish a killed run began; remove temporary files killed runs left."""
    ready = publish_dir(out) / ".complete"
    if ready.exists():
        publish(out)
    elif publish_dir(out).exists():
        shutil.rmtree(publish_dir(out), ignore_errors=True)  # an unfinished set: built again by the run
    for tmp in out.glob(".*.tmp*"):
        _remove(tmp)
    for tmp in out.glob("*.tmp.ipynb"):
        _remove(tmp)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def seal(out: Path) -> None:
    """The set in publish/ is complete: from here a killed run is finished by the next one."""
    names = sorted(p.name for p in publish_dir(out).iterdir())
    tmp = publish_dir(out) / ".complete.tmp"
    tmp.write_text(json.dumps(names), encoding="utf-8")
    os.replace(tmp, publish_dir(out) / ".complete")


def publish(out: Path) -> None:
    """Replace the folder's outputs by the sealed set: stale ones go, summary.json comes last."""
    out = Path(out)
    stage = publish_dir(out)
    names = json.loads((stage / ".complete").read_text(encoding="utf-8"))
    mine = ours(out)
    try:
        record_outputs(out, mine | set(names))  # before anything moves: a killed publish is finished with it
        (out / SUMMARY).unlink(missing_ok=True)  # until the new one lands, no summary vouches for the folder
        for name in mine:
            if name not in names and name != SUMMARY:
                _remove(out / name)
        for name in names:
            if name != SUMMARY and (stage / name).exists():
                if (out / name).is_dir() and not (out / name).is_symlink():
                    if name not in mine:
                        refuse_foreign_folders(out, (name,))
                    shutil.rmtree(out / name)
                os.replace(stage / name, out / name)
        if (stage / SUMMARY).exists():
            os.replace(stage / SUMMARY, out / SUMMARY)
        record_outputs(out, names)
    except OSError as exc:
        raise OutputError(f"output folder {out}: {plain_os_error(exc)} while replacing the results — "
                          "free the space or fix the permission and run again (the next run finishes this one)") from None
    shutil.rmtree(out / STATE_DIR, ignore_errors=True)
