"""The dependency directions the architecture promises, checked by parsing every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "ketadesk"
SQL_MODULES = {"ketadesk/store.py", "ketadesk/build.py"}
QT_FREE = {
    "records",
    "render",
    "build",
    "store",
    "paths",
    "content",
    "condition_source",
    "sourceio",
    "rules",
    "markup",
    "search",
    "schema",
    "checks",
    "cli",
    "about",
    "errors",
    "handouts",
    "readability",
    "workingcopy",
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            sep = "" if base.endswith(".") else "."
            names |= {f"{base}{sep}{a.name}" for a in node.names}
    return names


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_layer_rules(path):
    name = path.relative_to(REPO).as_posix()
    found = imports(path)
    top = {n.split(".")[0] for n in found if not n.startswith(".")}
    if name not in SQL_MODULES:
        assert not top & {"sqlite3", "sqlite_utils"}, f"{name} speaks SQL; only store/build may"
    if path.stem in QT_FREE and path.parent == PACKAGE:
        assert "PySide6" not in top, f"{name} must not import Qt"
    if name != "ketadesk/render.py":
        assert not top & {"markdown", "nh3"}, f"{name}: only render.py makes HTML from content"
    if "ketadesk/ui/" in name:
        assert not any("store" in n for n in found), f"{name}: widgets never reach the store"


def test_every_module_says_what_it_owns():
    for path in MODULES:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.relative_to(REPO)} has no module docstring"
