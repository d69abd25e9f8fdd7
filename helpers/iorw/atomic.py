"""Reading and writing at the edges: case files in, JSON out. The core never opens a file."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..core.exceptions import InputFileError, OutputError

# the process umask, read once (os.umask can only be read by setting it)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def read_case_file(path: str) -> dict:
    """One case from a .json (or .yaml) file, or '-' for standard input."""
    try:
        if path == "-" and sys.stdin is None:  # started with standard input closed
            raise OSError("standard input is closed")
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError.missing(path) from None
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, not a file", "give the path of a JSON or YAML case file",
                             zh=("是文件夹，不是文件", "请给出 JSON 或 YAML 案例文件的路径")) from None
    except UnicodeDecodeError:
        raise InputFileError(path, "is not UTF-8 text", "save the case file as UTF-8",
                             zh=("不是 UTF-8 文本", "请把案例文件另存为 UTF-8")) from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read: {getattr(exc, 'strerror', None) or exc}",
                             "give the path of a UTF-8 JSON or YAML case file, or - for standard input") from None
    import yaml
    try:
        if str(path).endswith((".yaml", ".yml")):
            data = yaml.safe_load(text)
        elif path == "-":  # standard input has no name to tell: JSON, else YAML (which JSON is nearly a part of)
            try:
                data = json.loads(text)
            except ValueError:
                data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:  # both messages say where (yaml's: its line and column)
        said = " ".join(str(exc).split())
        raise InputFileError(path, f"is not valid JSON/YAML: {said}", "fix the file's syntax",
                             zh=(f"不是有效的 JSON/YAML：{said}", "请修正文件的格式")) from None
    except RecursionError:
        raise InputFileError(path, "is nested too deeply to be a case", "give one case as one flat object") from None
    bad = lone_surrogate(data)
    if bad:
        raise InputFileError(path, f"holds {bad!r}, which is not a character (a lone surrogate)",
                             "remove it or write the text it stands for")
    return data


def lone_surrogate(data) -> str:
    """The first lone surrogate in parsed JSON or YAML ('' when none): "\ud800" is valid JSON but no
    text, which could be neither printed nor written (case files, workshop answer files)."""
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")  # default: YAML's dates
    except UnicodeEncodeError as exc:
        return exc.object[exc.start:exc.end]
    return ""


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def writable_folder(folder, target=None) -> Path:
    """`folder`, created if needed; an OutputError (exit 4) naming `target` (default: the folder) if
    it cannot be written to. Commands call this before any work, so an unwritable --out fails at
    once, not after the run."""
    import tempfile
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OutputError.from_os_error(target or folder, exc) from None
    return folder


def atomic_write(path: Path, write):
    """Write through a temporary file in the same folder, then rename: never a half-written file.
    The original file is untouched if anything fails; an OS error (no such folder, no permission,
    disk full) becomes an OutputError naming the path."""
    import tempfile  # here, not at the top: keeps `dispute-playbook recommend` start-up light
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError.from_os_error(path, exc) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def write_json_atomic(path: Path, data) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, default=str)
    atomic_write(path, write)
