"""The house shows its pipeline: a package per stage, its rooms in layers (no room imports one
above it) and no import cycle (lazy imports included), the build's types taken typed where stages
meet, no module a newcomer cannot read in one sitting."""

import ast
import functools
import re
from pathlib import Path

import pytest

from rameau_cli import gc_tuning

from helpers import REPO

PACKAGE = REPO / "rameau_cli"
STAGES = ["project", "sources", "compose", "render", "output"]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def parsed(path: Path) -> ast.Module:
    """The module's syntax tree, read once for the tests of this file (which never change it).
    Its nodes hold no cycle: the collector is paused meanwhile, as it would only rescan them
    (two thirds of the time the trees of the package take to make)."""
    with gc_tuning.paused():
        return ast.parse(path.read_text(encoding="utf-8"))


def statements(nodes: list) -> list[ast.AST]:
    """These statements and every one nested in them (in a function, a class, an `if`, a `try`,
    a `with`, a loop, a `match`). Imports and definitions are statements, never inside an
    expression: the expressions, most of a tree, need not be walked to find them."""
    found, todo = [], list(nodes)
    while todo:
        node = todo.pop()
        found.append(node)
        for block in ("body", "orelse", "finalbody", "handlers", "cases"):
            todo.extend(getattr(node, block, ()))
    return found


@pytest.fixture(autouse=True, scope="module")
def trees_let_go():
    """The trees are let go once the module's tests are done: some million objects that each
    full collection of the rest of the run would otherwise scan again."""
    yield
    parsed.cache_clear()
    _module_graph.cache_clear()


def imports(path: Path) -> set[str]:
    """Every rameau module `path` imports, at the top or inside a function, but not for types only."""
    tree = parsed(path)
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = statements(tree.body)  # walked once, for both loops
    type_only = {id(node) for block in nodes if isinstance(block, ast.If)
                 and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                 for node in statements(block.body)}  # not its `else:`
    found = set()
    for node in nodes:
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists() else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {module for module in found if module.startswith("rameau_cli") and module != name}


def test_each_stage_is_a_package():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    assert (PACKAGE / "pipeline.py").is_file()


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


@functools.cache
def _module_graph() -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple((module_name(path), frozenset(imports(path))) for path in PACKAGE.rglob("*.py"))


def module_graph() -> dict[str, set[str]]:
    """Each module and the rameau modules it imports (walked once for the tests of this file)."""
    graph = {module: set(targets) for module, targets in _module_graph()}
    assert graph["rameau_cli.pipeline"] >= {"rameau_cli.project.config", "rameau_cli.sources.pool"}  # the walk works
    return graph


def room(module: str) -> str:
    """The room a module stands in: a direct subpackage of rameau_cli, or a module at its top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of nodes that import each other in a loop (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle_lazy_imports_included():
    assert loops(module_graph()) == []


def test_no_room_imports_a_room_above_it_lazy_imports_included():
    """The rooms are layers: no loop between them, whether the imports are at the top of a module
    or inside a function (those under `if TYPE_CHECKING:` are for types only and do not count)."""
    ties: dict[tuple[str, str], list[str]] = {}
    for module, targets in module_graph().items():
        for target in targets:
            if room(module) != room(target):
                ties.setdefault((room(module), room(target)), []).append(f"{module} -> {target}")
    rooms: dict[str, set[str]] = {}
    for (here, there) in ties:
        rooms.setdefault(here, set()).add(there)
    assert rooms["pipeline"] >= {"project", "sources", "compose", "render"}  # the walk sees the rooms
    found = {" / ".join(group): sorted(tie for (here, there), why in ties.items()
                                        if here in group and there in group for tie in why)
             for group in loops(rooms)}
    assert found == {}


TYPED = {"config", "build", "built", "options", "segment", "edition", "issue", "email", "settings"}


def is_any(annotation: ast.expr) -> bool:
    """`Any`, or a union that lets Any in (`Any | None`, `Optional[Any]`); Any inside a container is
    the container's business."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return is_any(ast.parse(annotation.value, mode="eval").body)
    if isinstance(annotation, ast.Name | ast.Attribute):
        return ast.unparse(annotation) in ("Any", "typing.Any")
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return is_any(annotation.left) or is_any(annotation.right)
    if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value) in ("Optional", "Union",
                                                                                   "typing.Optional", "typing.Union"):
        inner = annotation.slice
        return any(is_any(e) for e in (inner.elts if isinstance(inner, ast.Tuple) else [inner]))
    return False


def untyped_parameters(source: str | ast.Module) -> list[str]:
    """Each parameter named for the build's data (a config, a build, options, a segment...) that is
    typed Any or not typed at all, as "line function(name)"."""
    found = []
    for node in sorted(statements((ast.parse(source) if isinstance(source, str) else source).body),
                       key=lambda node: getattr(node, "lineno", 0)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if argument.arg in TYPED and (argument.annotation is None or is_any(argument.annotation)):
                    found.append(f"{node.lineno} {node.name}({argument.arg})")
    return found


def test_the_builds_data_is_taken_typed_where_stages_meet():
    """No function takes a config, a build, options, a segment, an edition, an issue or an email
    typed Any: each stage names the type it is handed."""
    assert untyped_parameters("def f(config: Any, build: Any | None, options: Optional[Any], edition, "
                              "issue: 'Any', email: dict[str, Any], size: Any): pass") == [
        "1 f(config)", "1 f(build)", "1 f(options)", "1 f(edition)", "1 f(issue)"]  # the rule reads annotations
    found = {str(path.relative_to(REPO)): untyped for path in PACKAGE.rglob("*.py")
             if (untyped := untyped_parameters(parsed(path)))}
    assert found == {}


def test_each_room_says_what_it_is_for_and_the_code_map_lists_it():
    """A newcomer finds every room in the manual's code map (docs/code.md), and each room's
    opening docstring says what it is for."""
    rooms = {f"{path.name}/": path / "__init__.py" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    rooms |= {path.name: path for path in PACKAGE.glob("*.py") if path.name not in ("__init__.py", "__main__.py")}
    assert {"project/", "render/", "pipeline.py"} <= rooms.keys()
    code_map = (REPO / "docs" / "code.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert sorted(room for room in rooms if not re.search(rf"(?<![\w/]){re.escape(room)}", code_map)) == []
    assert sorted(room for room, path in rooms.items()
                  if len(ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "") < 20) == []
