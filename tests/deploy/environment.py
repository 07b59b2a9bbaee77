"""Which environment variables the platform's own code reads, found in its source."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_HELPERS = ("envbool", "envint", "envfloat", "envlist")
# Set by manage.py, wsgi.py and celery.py for Django itself, not configuration.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def first_party_sources() -> list[Path]:
    """The code that runs in production: the three packages, manage.py and scripts/ (tests and bench are not)."""
    sources = [ROOT / "manage.py"]
    for package in ("petition", "campaigns", "signatures"):
        sources += [path for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts]
    for script in sorted((ROOT / "scripts").iterdir()):
        if script.is_file() and script.read_text(errors="replace").startswith("#!/usr/bin/env python3"):
            sources.append(script)
    return sources


def variables_read(source: Path) -> set[str]:
    """Names passed as a literal to os.environ.get / os.environ[...] / os.getenv / settings' env* helpers."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Subscript) and is_environ(node.value) and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            owner = getattr(function, "value", None)
            if (called in ("get", "setdefault", "pop") and is_environ(owner)) or called in (*ENV_HELPERS, "getenv"):
                names.add(node.args[0].value)
    return names - NOT_CONFIGURATION


def is_environ(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def settings_variables() -> set[str]:
    return variables_read(ROOT / "petition" / "settings.py")


def variables_read_by_code() -> dict[str, set[str]]:
    """Variable name -> the files that read it."""
    readers: dict[str, set[str]] = {}
    for source in first_party_sources():
        for name in variables_read(source):
            readers.setdefault(name, set()).add(source.relative_to(ROOT).as_posix())
    return readers
