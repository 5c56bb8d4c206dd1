"""Layers point one way: each package imports only from its own layer or the layers below it.

The map, bottom to top (README, "A map of the code"):

    errors · files · text        what every layer needs: exit codes, reading and writing files, user text
    flow                         the flow model, loading, expressions, the cache
    result · engine              the interview: values, scores, rules, the state machine, sessions
    present                      values, scores and urgency in the clinic's words
    store                        the case store (SQLite, PostgreSQL) behind one interface
    export · check               reports, JSON, FHIR; the flow linter and graph
    teach                        the teaching library, quiz, what-if, the learning log
    tui · web                    the terminal app; the browser room (serve)
    cli                          the command line: the only entry point

Every import counts, lazy and typing-only ones too: an upward import inside a function is still a
layer pointing the wrong way (it is how the old circles cli ↔ store ↔ tui began).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "interview"

#: Layer of each top-level part of the package (by its first name under ``interview``).
LAYERS: dict[str, int] = {
    "": 0, "errors": 0, "files": 0, "text": 0,
    "flow": 1,
    "result": 2, "engine": 2,
    "present": 3,
    "store": 4,
    "export": 5, "check": 5,
    "teach": 6,
    "tui": 7, "web": 7,
    "cli": 8, "__main__": 8,
}

#: Modules whose layer is not their folder's (each one a move still to make, or a room of its own).
PLACED: dict[str, str] = {
    "interview.teach.serve": "web",   # textual-serve: the browser room runs the app, a peer of tui
}


def part_of(module: str) -> str:
    """The layer name of a module of the package (``interview.engine.session`` → ``engine``)."""
    for placed, part in PLACED.items():
        if module == placed or module.startswith(placed + "."):
            return part
    names = module.split(".")
    return names[1] if len(names) > 1 else ""


def imports(source: str) -> Iterable[str]:
    """Every module of the package a source file imports, wherever the import stands."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def upward_imports(sources: Mapping[str, str]) -> list[str]:
    """``module -> imported (layer a < layer b)`` for every import of a higher layer, sorted."""
    found = []
    for module, source in sources.items():
        here = LAYERS[part_of(module)]
        for target in imports(source):
            if target != "interview" and not target.startswith("interview."):
                continue
            there = LAYERS.get(part_of(target))
            if there is None:
                continue  # an unknown part is reported by test_every_part_has_a_layer
            if there > here:
                found.append(f"{module} -> {target} ({part_of(module) or 'interview'} {here} < "
                             f"{part_of(target)} {there})")
    return sorted(set(found))


def package_sources() -> dict[str, str]:
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def test_every_part_has_a_layer():
    """A new folder or top-level module of the package is given its place in the map before it is used."""
    unknown = sorted({part_of(module) for module in package_sources()} - set(LAYERS))
    assert unknown == [], f"add these to LAYERS in tests/test_layers.py (and the README's map): {unknown}"


def test_layers_point_one_way():
    """No module imports a layer above its own."""
    assert upward_imports(package_sources()) == []


@pytest.mark.parametrize(("module", "upward"), [
    ("interview.engine.session", "from interview.tui.app import InterviewApp"),
    ("interview.store.sqlite", "def f():\n    from interview.cli import CliError\n"),
    ("interview.flow.model", "import interview.engine.session"),
    ("interview.teach.quiz", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from interview.tui import app\n"),
])
def test_a_deliberate_upward_import_is_found(module, upward):
    """The check is not vacuous: an upward import — lazy, typing-only or plain — is reported."""
    sources = package_sources()
    sources[module] = sources.get(module, "") + "\n" + upward
    assert any(line.startswith(f"{module} -> ") for line in upward_imports(sources))
