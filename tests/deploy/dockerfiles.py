"""Reading the Dockerfile, .dockerignore and docker-compose.yml the way Docker does, for tests without Docker."""

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions(path: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = (pending + stripped).strip()
        pending = ""
        if whole:
            keyword, _, arguments = whole.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """The argv of a JSON (exec) form such as CMD ["granian", ...]; a shell form is split like sh would."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return shlex.split(arguments)


def healthcheck_command(arguments: str) -> list[str]:
    options, _, command = arguments.partition("CMD ")
    assert command, f"HEALTHCHECK without CMD: {arguments}"
    return exec_form(command.strip())


def dockerignore_patterns(path: Path = ROOT / ".dockerignore") -> list[str]:
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            assert not line.startswith("!"), "exceptions are not modelled here"
            patterns.append(line.strip("/"))
    return patterns


def pattern_regex(pattern: str) -> re.Pattern:
    """Go's filepath.Match plus Docker's **: * and ? stay within one path segment, ** crosses them."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.compile(regex + r"\Z")


def is_ignored(relative_path: str, patterns: list[str]) -> bool:
    """A path is left out when a pattern matches it or any directory above it."""
    parts = relative_path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    return any(pattern_regex(pattern).match(candidate) for pattern in patterns for candidate in candidates)


def copy_build_context(destination: Path, source: Path = ROOT) -> list[str]:
    """Copy what `COPY . .` would put in the image; returns the relative paths copied."""
    patterns = dockerignore_patterns(source / ".dockerignore")
    copied = []
    for directory, subdirectories, files in os.walk(source):
        here = Path(directory).relative_to(source).as_posix()
        prefix = "" if here == "." else here + "/"
        subdirectories[:] = [name for name in subdirectories if not is_ignored(prefix + name, patterns)]
        for name in files:
            relative = prefix + name
            if is_ignored(relative, patterns):
                continue
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(directory) / name, target)
            copied.append(relative)
    return sorted(copied)


def compose(path: Path = ROOT / "docker-compose.yml") -> dict:
    return yaml.safe_load(path.read_text())


def command_of(service: dict) -> list[str]:
    command = service.get("command", [])
    return command if isinstance(command, list) else shlex.split(command)


def env_file_names(path: Path = ROOT / ".env.example") -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, equals, _ = line.partition("=")
            assert equals, f"not NAME=value: {line!r}"
            names.append(name.strip())
    return names


INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::?[-?][^}]*)?\}")


def interpolated_names(text: str) -> set[str]:
    return set(INTERPOLATION.findall(text))
