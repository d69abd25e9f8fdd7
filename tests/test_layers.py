"""The package's layers: imports only point down (the contract is in pyproject.toml)."""
import subprocess
import sys
from pathlib import Path

from support import ROOT

HELPERS = ROOT / "helpers"


def test_imports_point_down():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_a_broken_layer_is_caught(tmp_path):
    """The contract can fail: a core module importing the CLI breaks it."""
    import shutil
    copy = tmp_path / "repo"
    shutil.copytree(HELPERS, copy / "helpers")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    with open(copy / "helpers" / "core" / "facts.py", "a") as fh:
        fh.write("\nfrom ..cli import main  # noqa\n")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=copy, capture_output=True, text=True,
                          env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert done.returncode != 0
    assert "helpers.core is not allowed to import helpers.cli" in done.stdout



def private_imports(root=HELPERS) -> list[str]:
    """`from X import _name` (and `module._name` on an imported helpers module) across modules."""
    import ast
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("helpers")):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(root.parent)}:{node.lineno}: from "
                                     f"{'.' * node.level}{node.module or ''} import {alias.name}")
                    else:
                        modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules.update(a.asname or a.name for a in node.names if a.name.startswith("helpers"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_private_name_is_imported_across_modules():
    assert private_imports() == []


def test_the_private_name_check_can_fail(tmp_path):
    pkg = tmp_path / "helpers"
    pkg.mkdir()
    (pkg / "a.py").write_text("from .b import _hidden\nfrom . import c\nc._secret()\nfrom .b import public\n")
    assert private_imports(pkg) == ["helpers/a.py:1: from .b import _hidden", "helpers/a.py:3: c._secret"]


def test_no_module_imports_itself_through_others():
    """No cycles inside a layer either (lazy imports in functions count): each module's imports form a tree."""
    import grimp
    graph = grimp.build_graph("helpers")
    cycles = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.startswith("helpers") and imported != importer:
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back and not importer.startswith(imported + "."):  # a package's __init__ re-exporting is not a cycle
                    cycles.append(" -> ".join((importer,) + tuple(back)))
    assert cycles == []
