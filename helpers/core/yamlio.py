"""Read playbook YAML keeping the line of every mapping key and list item, for file:line errors."""
from __future__ import annotations

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


def load_yaml(path: Path):
    """Parse one file; a syntax error becomes a PlaybookProblem (returned, not raised)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, PlaybookProblem(path, None, f"cannot be read: {exc}", "check the file exists and is UTF-8 text")
    try:
        return yaml.load(text, Loader=_LineLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        return None, PlaybookProblem(path, line, f"is not valid YAML: {what}",
                                     "check the indentation and quoting around this line")
