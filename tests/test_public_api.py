"""The public surfaces: each package says what it is for and lists its public names in ``__all__``.

A name in ``__all__`` must resolve (lazy PEP 562 names included) and must not be private; the
Python examples in the README and the docs import only public names, never a ``_`` module.
"""

from __future__ import annotations

import importlib
import re

import pytest

import queries
from queries.functions import FUNCTIONS
from tests.support.docs import DOCS, README

#: Every package that offers a public surface (an ``__init__.py`` with ``__all__``).
PUBLIC_PACKAGES = [
    "mirror",
    "mirror.machina",
    "mirror.outbox",
    "mirror.schema",
    "mirror.writes",
    "queries",
    "sync",
    "sync.emulator",
    "sync.mapping",
    "sync.pull",
    "sync.replay",
    "sync.upkeep",
]


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_the_package_says_what_it_is_for_and_lists_its_public_names(name):
    package = importlib.import_module(name)
    assert package.__doc__ and package.__doc__.strip(), f"{name} has no docstring"
    assert isinstance(package.__all__, list) and package.__all__, f"{name} has no __all__"
    assert len(set(package.__all__)) == len(package.__all__), f"{name}.__all__ repeats a name"


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_every_public_name_resolves_and_is_public(name):
    package = importlib.import_module(name)
    for public in package.__all__:
        assert not public.startswith("_"), f"{name}.__all__ names the private {public}"
        obj = getattr(package, public)  # raises AttributeError if it does not resolve
        own_name = getattr(obj, "__name__", public) if callable(obj) else public
        assert not own_name.startswith("_"), f"{name}.{public} is the private object {own_name}"


def test_every_named_query_function_is_public():
    missing = sorted(set(FUNCTIONS) - set(queries.__all__))
    assert not missing, f"queries does not export: {missing}"
    for function_name, function in FUNCTIONS.items():
        assert getattr(queries, function_name) is function


def prose() -> list[tuple[str, str]]:
    """The README and every docs page, each with where it is."""
    return [("README.md", README)] + [(f"docs/{p.name}", p.read_text()) for p in sorted(DOCS.glob("*.md"))]


def python_examples() -> list[tuple[str, str]]:
    """Every ```python block of the README and the docs, with where it is."""
    return [(where, block) for where, text in prose()
            for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)]


def test_the_docs_have_python_examples():
    assert python_examples()


@pytest.mark.parametrize("where,block", python_examples())
def test_python_examples_import_only_public_names(where, block):
    block = re.sub(r"#.*", "", block)
    for module, names in re.findall(r"^\s*from\s+([\w.]+)\s+import\s+\(?([^)\n]*)", block, re.MULTILINE):
        assert not any(part.startswith("_") for part in module.split(".")), f"{where}: imports from {module}"
        imported = [n.split(" as ")[0].strip() for n in names.split(",") if n.strip()]
        assert not [n for n in imported if n.startswith("_")], f"{where}: imports private names from {module}"
        home = importlib.import_module(module)
        public = getattr(home, "__all__", None)
        if public is not None:
            hidden = [n for n in imported if n not in public]
            assert not hidden, f"{where}: {module} does not export {hidden}"
    for module in re.findall(r"^\s*import\s+([\w.]+)", block, re.MULTILINE):
        assert not any(part.startswith("_") for part in module.split(".")), f"{where}: imports {module}"
    private_paths = re.findall(r"\b(?:mirror|sync|queries)(?:\.\w+)*\._\w+", block)
    assert not private_paths, f"{where}: names private paths {private_paths}"


def test_the_docs_name_only_paths_and_modules_that_exist():
    """A file path (``mirror/...``) or dotted name (``sync.service.pull_all``) quoted in the README or
    the docs must exist, so a move that leaves the prose behind fails here."""
    root = DOCS.parent
    stale = []
    for where, text in prose():
        for quoted in set(re.findall(r"`([^`\s]+)`", text)):
            token = quoted.rstrip(".,:;")
            if re.fullmatch(r"(mirror|sync|queries|tests)/[\w./-]*", token):
                if not (root / token).exists():
                    stale.append(f"{where}: {token}")
            elif re.fullmatch(r"(mirror|sync|queries)(\.\w+)+", token) and not resolves(token):
                stale.append(f"{where}: {token}")
    assert not stale, f"the docs name what does not exist: {sorted(stale)}"


def resolves(dotted: str) -> bool:
    """Whether a dotted name is a module, or an attribute reached from the longest importable module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return False
        return True
    return False
