"""The arrows of docs/ARCHITECTURE.md, checked: one way between the apps, no cycles, nothing hidden.

Reads the source with ast (no Django, no database), so it runs with `make test-fast`.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("petition", "campaigns", "signatures")
# The modules that assemble the site may reach "up" the arrows, at module top.
ASSEMBLERS = {"campaigns.admin", "campaigns.urls", "petition.urls"}
ALLOWED_UPWARD = {"petition": set(), "campaigns": {"petition"}, "signatures": {"campaigns", "petition"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


MODULES = source_modules()


def resolve(module: str, node: ast.ImportFrom | ast.Import, is_package: bool) -> list[str]:
    """First-party modules an import statement names (a `from x import y` counts y when y is a module)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        names = [target] + [f"{target}.{alias.name}" for alias in node.names]
    found = []
    for name in names:
        # The deepest first-party module the name refers to.
        parts = name.split(".")
        while parts and ".".join(parts) not in MODULES:
            parts.pop()
        if parts:
            found.append(".".join(parts))
    return sorted(set(found))


def imports_of(module: str) -> tuple[set[str], list[tuple[int, str]]]:
    """(first-party modules imported at module level, [(line, module) imported inside a function or class])."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    top, hidden = set(), []

    def visit(node, nested: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = [name for name in resolve(module, child, is_package) if name != module]
                if nested:
                    hidden.extend((child.lineno, name) for name in targets)
                else:
                    top.update(targets)
            visit(child, nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))

    visit(tree, False)
    return top, hidden


GRAPH = {module: imports_of(module) for module in MODULES}


def test_it_finds_the_apps_modules():
    assert {"signatures.services", "campaigns.counting", "petition.emails"} <= set(MODULES)
    assert "campaigns.models" in GRAPH["signatures.services"][0]


def test_no_first_party_import_is_hidden_inside_a_function():
    hidden = {module: lines for module, (_, lines) in GRAPH.items() if lines}
    assert hidden == {}


def test_dependencies_between_the_apps_run_one_way():
    upward = []
    for module, (top, _) in GRAPH.items():
        app = module.split(".")[0]
        for target in top:
            target_app = target.split(".")[0]
            if target_app != app and target_app not in ALLOWED_UPWARD[app] and module not in ASSEMBLERS:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_there_is_no_import_cycle():
    edges = {module: {target for target in top if target in MODULES} for module, (top, _) in GRAPH.items()}
    # A package's __init__ importing its own modules is how a package registers them, not a cycle.
    for module in edges:
        if MODULES[module].name == "__init__.py":
            edges[module] = {target for target in edges[module] if not target.startswith(module + ".")}
    cycles = []
    state = {}

    def walk(module, stack):
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                walk(target, stack)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            walk(module, [])
    assert cycles == []
