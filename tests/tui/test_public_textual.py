"""The app uses Textual through its public API only, so any Textual in the declared range runs it.

Textual's own handlers are `on_*`, `watch_*`, `action_*`, `compose`, `render_line`…; an `_`-prefixed
name that Textual defines on a class is its internal business. Overriding one tied the app to one
exact Textual release (issue 15, item 4).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import tomllib
from types import ModuleType

from packaging.requirements import Requirement
from paths import ROOT

PACKAGES = ("interview.tui", "interview.teach")


def _modules() -> list[ModuleType]:
    out = []
    for name in PACKAGES:
        package = importlib.import_module(name)
        out.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            out.append(importlib.import_module(info.name))
    return out


def _is_textual(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "textual"


def private_overrides(classes: list[type]) -> list[str]:
    """`module.Class._name` for each `_`-prefixed method of ours (or a mixin of ours) that Textual defines too."""
    found = []
    for cls in classes:
        mro = cls.__mro__
        if not any(_is_textual(base) for base in mro):
            continue
        textual_names = {name for base in mro if _is_textual(base) for name in vars(base)}
        for base in mro:
            if _is_textual(base) or base is object:
                continue
            for name, value in vars(base).items():
                if (name.startswith("_") and not name.startswith("__") and name in textual_names
                        and (inspect.isfunction(value) or isinstance(value, staticmethod | classmethod | property))):
                    found.append(f"{base.__module__}.{base.__qualname__}.{name}")
    return sorted(set(found))


def _our_classes() -> list[type]:
    return [cls for module in _modules() for cls in vars(module).values()
            if inspect.isclass(cls) and cls.__module__ == module.__name__]


class TestNoPrivateTextual:
    def test_no_class_overrides_a_private_textual_method(self):
        """No widget, screen or app of tui/teach (or a mixin of one) redefines an `_`-name Textual defines."""
        classes = _our_classes()
        assert len(classes) > 10  # the walk found the app's widgets and screens
        assert private_overrides(classes) == []

    def test_the_check_finds_a_private_override(self):
        """The check is not blind: a widget (and a mixin) overriding `_size_updated` / `_on_key` is reported."""
        from textual.widgets import Input, Static

        class Quiet:
            def _size_updated(self, *args: object) -> bool:
                return False

        class Quieter(Quiet, Static):
            pass

        class Field(Input):
            async def _on_key(self, event: object) -> None:
                return None

            def _not_textual(self) -> None:
                return None

        found = private_overrides([Quieter, Field])
        assert [name.rsplit(".", 1)[-1] for name in found] == ["_on_key", "_size_updated"]

    def test_no_scroll_state_is_set_behind_textual(self):
        """No module sets one of Textual's own reactives quietly (`set_reactive(Widget.scroll_y, …)`) or
        calls a Textual `_`-method by name; `set_reactive` on a reactive of our own stays allowed."""
        import textual.scroll_view
        import textual.widget

        textual_classes = {"Widget": textual.widget.Widget, "ScrollView": textual.scroll_view.ScrollView}
        offenders = []
        for module in _modules():
            tree = ast.parse(inspect.getsource(module))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in ("_size_updated", "_refresh_scrollbars",
                                                                      "_on_key", "_on_paste"):
                    offenders.append(f"{module.__name__}:{node.lineno} {node.attr}")
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "set_reactive" and node.args
                        and isinstance(node.args[0], ast.Attribute) and isinstance(node.args[0].value, ast.Name)
                        and node.args[0].value.id in textual_classes):
                    offenders.append(f"{module.__name__}:{node.lineno} set_reactive({node.args[0].value.id}."
                                     f"{node.args[0].attr})")
        assert offenders == []


class TestVersionRange:
    def test_pyproject_declares_a_range_that_admits_the_pin(self):
        """pyproject gives Textual a compatible range; constraints.txt pins one version inside it (CI and snapshots)."""
        deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
        textual = next(Requirement(d) for d in deps if Requirement(d).name == "textual")
        assert "==" not in str(textual.specifier)
        pin = re.search(r"^textual==(\S+)$", (ROOT / "constraints.txt").read_text(), re.MULTILINE)
        assert pin, "constraints.txt pins textual"
        assert textual.specifier.contains(pin.group(1))
