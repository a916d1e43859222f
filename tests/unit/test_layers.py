"""The package's layers, read from its source: imports only point down
data <- measures <- protocol <- analyses <- report <- cli, no analysis imports a sibling, the
leaves (errors, files) import nothing of the package, and no import cycle exists.

Every import counts, at any depth: at module level, inside a function, under ``if TYPE_CHECKING:``.
A package's ``__init__`` is a module of its own. ``importlib.import_module("...")`` takes a string
and is not an import here; that is how the registry finds the analyses without importing them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

import rar_protocol

PACKAGE = Path(rar_protocol.__file__).resolve().parent
ROOT = PACKAGE.name  # "rar_protocol"
LEAVES = {f"{ROOT}.errors", f"{ROOT}.files"}
REGISTRY = f"{ROOT}.analyses.registry"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@dataclass(frozen=True)
class Import:
    """One import of a package module by another."""

    importer: str
    imported: str
    line: int
    statement: str
    lazy: bool  # inside a function: runs when called, not when the importer is imported
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs

    def __str__(self) -> str:
        where = " (inside a function)" if self.lazy else " (under TYPE_CHECKING)" if self.type_checking else ""
        return f"{self.importer} imports {self.imported}: line {self.line} `{self.statement}`{where}"


def _known_module(dotted: str) -> str | None:
    """The package module `dotted` names, or the nearest package module above it (a name in an __init__)."""
    while dotted:
        if dotted in MODULES:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve_from(module: str, node: ast.ImportFrom) -> str:
    """The absolute module a `from ... import` statement reads from (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.found: list[Import] = []
        self.functions = 0
        self.type_checking = 0

    def _add(self, node: ast.stmt, target: str | None) -> None:
        if target is not None and target != self.module:
            self.found.append(Import(self.module, target, node.lineno, ast.unparse(node), self.functions > 0, self.type_checking > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == ROOT or alias.name.startswith(f"{ROOT}."):
                self._add(node, _known_module(alias.name))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = _resolve_from(self.module, node)
        if base == ROOT or base.startswith(f"{ROOT}."):
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                self._add(node, submodule if submodule in MODULES else _known_module(base))

    def _visit_function(self, node: ast.AST) -> None:
        self.functions += 1
        self.generic_visit(node)
        self.functions -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _visit_function

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            self.type_checking += 1
            for child in node.body:
                self.visit(child)
            self.type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)


@cache
def all_imports() -> tuple[Import, ...]:
    found: list[Import] = []
    for module, path in MODULES.items():
        collector = _Collector(module)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found += collector.found
    return tuple(found)


def layer(module: str) -> str:
    """data, measures, protocol, analyses, report, sample, cli, a leaf, or the package's own __init__."""
    if module in LEAVES:
        return "leaf"
    if module == ROOT:
        return "package"
    return module.split(".")[1]


def _violations(importers: set[str], allowed: set[str]) -> list[str]:
    """Imports by modules of the `importers` layers of a module outside the `allowed` layers (leaves are always allowed)."""
    return [str(item) for item in all_imports() if layer(item.importer) in importers and layer(item.imported) not in allowed | {"leaf"} | importers]


def _fail_on(violations: list[str], rule: str) -> None:
    assert not violations, f"{rule}; {len(violations)} import(s) break it:\n  " + "\n  ".join(violations)


def test_the_reader_finds_the_package_imports() -> None:
    """Guards the other tests: a reader that found nothing would let every rule pass."""
    assert {f"{ROOT}.data.loading", f"{ROOT}.errors", f"{ROOT}.cli", f"{ROOT}.analyses", REGISTRY} <= set(MODULES)
    edges = {(item.importer, item.imported) for item in all_imports()}
    assert len(edges) > 50
    assert (f"{ROOT}.errors", f"{ROOT}.data.problems") in edges  # a lazy import, inside InputError.__init__
    assert (f"{ROOT}", f"{ROOT}.data.loading") in edges  # `from rar_protocol.data.loading import Review, load_review`
    assert any(item.importer.startswith(f"{ROOT}.cli") and layer(item.imported) == "report" for item in all_imports())


def test_the_reader_counts_imports_at_any_depth_and_resolves_relative_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import rar_protocol.data.schema\n"
        "from rar_protocol.data import loading, Review\n"
        "from .. import files\n"
        "from ..protocol.words import sentence\n"
        "if TYPE_CHECKING:\n    from rar_protocol.report.plan import ReportJob\n"
        "def later():\n    import rar_protocol.cli\n"
    )
    module = f"{ROOT}.measures.example"
    monkeypatch.setitem(MODULES, module, PACKAGE / "measures" / "example.py")
    collector = _Collector(module)
    collector.visit(ast.parse(source))
    found = [(item.imported, item.lazy, item.type_checking) for item in collector.found]
    assert found == [
        (f"{ROOT}.data.schema", False, False),
        (f"{ROOT}.data.loading", False, False),
        (f"{ROOT}.data", False, False),
        (f"{ROOT}.files", False, False),
        (f"{ROOT}.protocol.words", False, False),
        (f"{ROOT}.report.plan", False, True),
        (f"{ROOT}.cli", True, False),
    ]


def test_data_imports_nothing_above_it() -> None:
    _fail_on(_violations({"data"}, set()), "rar_protocol.data.* may import only data and the leaves errors and files")


def test_measures_import_only_data() -> None:
    _fail_on(_violations({"measures"}, {"data"}), "rar_protocol.measures.* may import only data (and the leaves)")


def test_protocol_imports_only_data_and_measures() -> None:
    _fail_on(_violations({"protocol"}, {"data", "measures"}), "rar_protocol.protocol.* may import only data and measures (and the leaves)")


def test_analyses_never_import_report_sample_or_cli() -> None:
    forbidden = {"report", "sample", "cli", "package"}  # the package's __init__ imports report
    violations = [str(item) for item in all_imports() if layer(item.importer) == "analyses" and layer(item.imported) in forbidden]
    _fail_on(violations, "rar_protocol.analyses.* never imports report, sample, cli or the package's __init__")


def _analysis(module: str) -> str | None:
    """The report kind a module of analyses belongs to (analyses.<kind> or analyses.<kind>.<part>), None for analyses/__init__."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "analyses" else None


def test_no_analysis_imports_a_sibling() -> None:
    violations = []
    for item in all_imports():
        importer, imported = _analysis(item.importer), _analysis(item.imported)
        if importer is None or imported is None or importer == imported:
            continue
        if importer == "registry":
            violations.append(f"{item} (the registry names analyses as strings and imports them lazily by name)")
        elif imported != "registry":
            violations.append(str(item))
    _fail_on(violations, "no analysis imports a sibling analysis (only rar_protocol.analyses.registry); what two share belongs in a lower layer")


def test_report_never_imports_cli() -> None:
    violations = [str(item) for item in all_imports() if layer(item.importer) == "report" and layer(item.imported) == "cli"]
    _fail_on(violations, "rar_protocol.report.* never imports cli")


def test_leaves_import_nothing_of_the_package() -> None:
    violations = []
    for item in all_imports():
        if item.importer not in LEAVES:
            continue
        lazy_problems = item.importer == f"{ROOT}.errors" and item.imported == f"{ROOT}.data.problems" and (item.lazy or item.type_checking)
        if not lazy_problems:
            violations.append(str(item))
    _fail_on(violations, "rar_protocol.errors and rar_protocol.files import nothing of the package (errors may import data.problems lazily)")


def _cycles() -> list[list[Import]]:
    """One cycle through each strongly connected group of modules (Tarjan), as the imports that close it."""
    edges: dict[str, dict[str, Import]] = {module: {} for module in MODULES}
    for item in all_imports():
        edges[item.importer].setdefault(item.imported, item)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(MODULES):
        if module not in index:
            connect(module)

    cycles = []
    for group in groups:
        start = min(group)
        # Breadth-first from start back to start inside the group: the shortest cycle through it.
        paths: dict[str, list[Import]] = {start: []}
        frontier = [start]
        cycle: list[Import] | None = None
        while frontier and cycle is None:
            following = []
            for module in frontier:
                for target, item in sorted(edges[module].items()):
                    if target == start:
                        cycle = [*paths[module], item]
                        break
                    if target in group and target not in paths:
                        paths[target] = [*paths[module], item]
                        following.append(target)
                if cycle:
                    break
            frontier = following
        cycles.append(cycle or [])
    return cycles


def test_no_import_cycle() -> None:
    cycles = _cycles()
    described = [" -> ".join([cycle[0].importer, *(item.imported for item in cycle)]) + "\n    " + "\n    ".join(map(str, cycle)) for cycle in cycles]
    _fail_on(described, "no import cycle among the package's modules")
