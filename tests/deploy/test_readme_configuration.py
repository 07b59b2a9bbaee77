"""The README documents every environment variable the code reads, in its configuration table (email settings may be in the email section), and nothing else."""

import re

import pytest

from .environment import ROOT, variables_read_by_code

pytestmark = pytest.mark.unit

README = (ROOT / "README.md").read_text()
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]*[A-Z0-9])`")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def configuration_sections() -> list[str]:
    """The configuration table's section, and the email section (which documents the email settings in full)."""
    titles = re.findall(r"^## (.+)$", README, re.MULTILINE)
    return [section("Configuration")] + [section(title) for title in titles if title.lower().startswith("email")]


def table_blocks(text: str) -> list[list[str]]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def documented_variables() -> set[str]:
    """Variables named in the first column of the configuration table (or of the email section's tables)."""
    [table] = table_blocks(section("Configuration"))
    rows = table[2:]
    for extra in configuration_sections()[1:]:
        rows += [row for block in table_blocks(extra) for row in block[2:]]
    names = set()
    for row in rows:
        names |= set(VARIABLE.findall(row.split("|")[1]))
    return names


def test_every_variable_the_code_reads_is_in_the_configuration_table():
    undocumented = {name: files for name, files in variables_read_by_code().items() if name not in documented_variables()}

    assert undocumented == {}, "document these in the README's configuration table"


def test_every_variable_in_the_configuration_table_is_read_by_the_code():
    assert documented_variables() - set(variables_read_by_code()) == set(), "the README documents variables nothing reads"


def test_the_variables_the_issue_found_missing_are_documented():
    assert {
        "EMAIL_TIMEOUT",
        "LOG_LEVEL",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "RATELIMIT_ENABLE",
        "REJECT_DISPOSABLE_EMAILS",
        "DISPOSABLE_EMAIL_DOMAINS_EXTRA",
        "DISPOSABLE_EMAIL_DOMAINS_ALLOWED",
        "RECAPTCHA_REQUIRED_SCORE",
        "PUBLIC_PAGE_CACHE_SECONDS",
        "CELERY_TASK_ALWAYS_EAGER",
    } <= documented_variables()


def test_every_table_in_the_readme_is_whole():
    """Rows cut off from their table (as the export rows once were) render as stray text."""
    for block in table_blocks(README):
        assert len(block) >= 3, block
        assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", block[1].replace(" ", "")), f"no header above: {block[0]}"
        widths = {row.count("|") for row in block}
        assert len(widths) == 1, f"rows of different widths in the table starting {block[0]}"


def test_the_production_recipe_migrates_and_collects_static_files_before_serving():
    commands = [
        line.strip()
        for line in section("Production").split("```sh", 1)[1].split("```", 1)[0].splitlines()
        if line.strip().startswith(("python ", "granian ", "celery "))
    ]

    assert commands[0].startswith("python manage.py migrate")
    assert commands[1].startswith("python manage.py collectstatic")
    assert [command.split()[0] for command in commands[2:]] == ["granian", "celery", "celery"]
    assert sum(" beat" in command for command in commands) == 1
    assert "docs/DEPLOY.md" in section("Production")
