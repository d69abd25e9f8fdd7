"""Read playbook YAML keeping the line of every mapping key and list item, for file:line errors."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .exceptions import PlaybookProblem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping that remembers where it and each of its keys stand in the file."""
    line: int = 0
    key_lines: dict


class LineList(list):
    line: int = 0
    item_lines: list


class _LineLoader(_Base):
    pass


def _mapping(loader, node):
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (dict, list)):  # `en: {{ x }}`: the braces read as a mapping used as a key
            raise yaml.constructor.ConstructorError(None, None, "a list or mapping stands where a name is expected",
                                                    key_node.start_mark)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (the first stands at line {out.key_lines[key]})", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _sequence(loader, node):
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


class FileProblem(PlaybookProblem):
    """A file that could not be read at all (missing, a folder, not UTF-8, not YAML, empty): what
    else looks wrong in the playbook may follow from it, so it is told alone (one cause, one error)."""

    __slots__ = ()


def line_of(node, key=None, default=None):
    """The line of `node` (or of its key / item index `key`)."""
    if key is not None:
        lines = getattr(node, "key_lines", None)
        if lines is not None and key in lines:
            return lines[key]
        items = getattr(node, "item_lines", None)
        if items is not None and isinstance(key, int) and 0 <= key < len(items):
            return items[key]
    return getattr(node, "line", default)


RESTORE = "restore it from a backup, or copy it from the playbook folder that came with the toolkit"


def _read_text(path: Path):
    """(text, None) or (None, FileProblem saying in words why the file cannot be read)."""
    try:
        if path.is_dir():
            return None, FileProblem(path, None, "is a folder, not a file",
                                     f"remove or rename the folder {path.name}, and put the file {path.name} in its place")
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, FileProblem(path, None, "is missing", RESTORE)
    except IsADirectoryError:
        return None, FileProblem(path, None, "is a folder, not a file",
                                 f"remove or rename the folder {path.name}, and put the file {path.name} in its place")
    except PermissionError:
        return None, FileProblem(path, None, "cannot be opened: you have no permission to read it",
                                 "give your user the right to read the file (or copy it to a folder of yours)")
    except OSError as exc:
        return None, FileProblem(path, None, f"cannot be read: {exc.strerror or type(exc).__name__}",
                                 "check the disk or network folder holding it, then run again")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, FileProblem(path, 1, "is not UTF-8 text (it is saved as UTF-16, Windows' \"Unicode\")",
                                 "save it as UTF-8")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            raw.decode("gbk")
            looks = " (it looks like GBK: Chinese saved by a Windows program)"
        except UnicodeDecodeError:
            looks = ""
        return None, FileProblem(path, line, f"is not UTF-8 text{looks}", "save it as UTF-8")


# a text left unquoted that YAML reads as something else: {{ ... }} / {% ... %} (a mapping), @ and `
# (reserved): after `key:`, after `- `, or as a value in a {en: ..., zh: ...} mapping
_QUOTE_ME = r"(?P<start>\{[{%]|[@`])"
_UNQUOTED_START = re.compile(r"^\s*(?:-\s+)?(?:(?P<key>[^\s:#][^:#]*?):\s+)?" + _QUOTE_ME
                             + r"|[{,]\s*(?P<fkey>[\w-]+):\s+" + _QUOTE_ME.replace("start", "fstart"))


def _syntax_problem(path: Path, text: str, exc) -> FileProblem:
    """The parser's error, in words a trainer can act on where the cause is a usual one (a tab used
    for indentation, a text starting with {{ left unquoted)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else None
    what = getattr(exc, "problem", None) or str(exc)
    lines = text.splitlines()
    context = getattr(exc, "context_mark", None)
    first = min(context.line + 1, line) if context and line else line
    near = range(first, line + 1) if line else range(0)

    def indent_tab(n):
        row = lines[n - 1] if 0 < n <= len(lines) else ""
        return "\t" in row[:len(row) - len(row.lstrip(" \t"))]

    tabbed = [n for n in (line, *near) if n and indent_tab(n)]
    if not tabbed and "tab" in what and line:
        tabbed = [n for n in range(line, 0, -1) if indent_tab(n)][:1]
    if tabbed:
        return FileProblem(path, tabbed[0], "is not valid YAML: a tab is used for indentation; use spaces",
                           "replace the tab at the start of this line with spaces, lined up with the lines around it")
    for n in near:
        found = _UNQUOTED_START.search(lines[n - 1]) if 0 < n <= len(lines) else None
        if found:
            key, start = found.group("key") or found.group("fkey"), found.group("start") or found.group("fstart")
            example = "{{ params.… }} …" if start.startswith("{") else f"{start}…"
            example = f'{key.strip()}: "{example}"' if key else f'"{example}"'
            return FileProblem(path, n, f"is not valid YAML: a text that starts with {start[0]} must be put in quotes",
                               f"put the whole text in double quotes, e.g. {example}")
    return FileProblem(path, line, f"is not valid YAML: {what}", "check the indentation and quoting around this line")


def load_yaml(path: Path, empty_ok: bool = True):
    """Parse one file; a file that cannot be read or parsed becomes a FileProblem (returned, not
    raised). `empty_ok=False`: a file without content is one too ("the file is empty")."""
    path = Path(path)
    text, err = _read_text(path)
    if err:
        return None, err
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        return None, _syntax_problem(path, text, exc)
    if data is None and not empty_ok:
        what = "the file is empty" if not text.strip() else "the file holds only comments, no content"
        return None, FileProblem(path, None, what, RESTORE)
    return data, None
