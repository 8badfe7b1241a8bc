"""Docs that drift fail the suite: the Quick start, CI, the command reference, the README as a short
front door, the MkDocs site's pages and their generated parts."""

from __future__ import annotations

import re

import click
from cogapp import Cog

from sync.cli import cli
from tests.support.docs import DOCS, README, ROOT, quick_start


def test_quick_start_is_exactly_two_commands_demo_then_tests():
    first, second = quick_start()  # exactly two
    assert "upkeep-mirror demo" in first
    assert "pytest" in second


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick_start()[1] in ci


def test_ci_requires_the_browser_tests_and_checks_the_wheel():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "export UPKEEP_MIRROR_BROWSER=1" in ci
    assert ci.index("export UPKEEP_MIRROR_BROWSER=1") < ci.index(quick_start()[1])
    assert "bash .ci/wheel-smoke" in ci and (ROOT / ".ci" / "wheel-smoke").exists()


def test_every_command_is_documented_in_the_readme():
    documented = set(re.findall(r"`upkeep-mirror ([a-z-]+)", README))
    missing = sorted(set(cli.list_commands(click.Context(cli))) - documented)
    assert not missing, f"commands missing from README: {missing}"


def test_every_command_and_option_has_help():
    def walk(command, path):
        assert command.help or command.short_help, f"{path} has no help"
        for param in command.params:
            if param.name not in ("help", "version") and hasattr(param, "help"):
                assert param.help, f"{path} {param.name} has no help"
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), f"{path} {name}")

    walk(cli, "upkeep-mirror")


def test_the_readme_is_a_short_front_door():
    assert len(README.splitlines()) <= 250, "the README is the front door: move details to docs/"


def test_every_docs_page_the_readme_links_to_exists():
    linked = re.findall(r"\]\((docs/[^)#\s]*)", README)
    assert linked, "the README links into the docs"
    missing = sorted(link for link in linked if not (ROOT / link).is_file())
    assert not missing, f"the README links to missing docs pages: {missing}"


def test_every_docs_page_is_in_the_mkdocs_nav():
    config = (ROOT / "mkdocs.yml").read_text()
    nav = config.split("\nnav:", 1)[1].split("\n\n", 1)[0]
    in_nav = set(re.findall(r":\s*([\w/.-]+\.md)\s*$", nav, re.MULTILINE))
    pages = {str(page.relative_to(DOCS)) for page in DOCS.rglob("*.md")}
    assert pages - in_nav == set(), f"docs pages missing from mkdocs.yml nav: {sorted(pages - in_nav)}"
    assert in_nav - pages == set(), f"mkdocs.yml nav names missing pages: {sorted(in_nav - pages)}"


def test_ci_checks_the_house_rules_before_the_tests():
    """Import contracts, types and the docs site are checked on every CI run, before the suite."""
    ci = (ROOT / ".ci" / "run").read_text()
    for check in (".venv/bin/lint-imports", ".venv/bin/mypy", ".venv/bin/mkdocs build --strict"):
        assert check in ci, check
        assert ci.index(check) < ci.index(quick_start()[1])


def test_the_generated_parts_of_the_docs_match_their_source():
    """``docs/schema.md``'s entity table is generated from mirror/entities.py: ``cog -r docs/schema.md``."""
    status = Cog().main(["cog", "--check", str(DOCS / "schema.md")])
    assert status == 0, "docs/schema.md is stale: run `cog -r docs/schema.md`"
