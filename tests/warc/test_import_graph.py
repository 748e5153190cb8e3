"""The house's import rules, read from the source: no cycle between packages, capture apart."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import archiver

PACKAGE = Path(archiver.__file__).parent


def _unit(module: str) -> str | None:
    # The room a module belongs to: archiver.<first part> (a package or a top-level module).
    parts = module.split(".")
    if parts[0] != "archiver":
        return None
    return ".".join(parts[:2])


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").exists()


def import_edges() -> dict[str, set[tuple[str, str]]]:
    """Room -> {(room imported, importing module)}, every import (function-level ones too)."""
    edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        source = _unit(module.removesuffix(".__init__"))
        assert source is not None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
                names += [f"{node.module}.{a.name}" for a in node.names]
                names = [n for n in names if n == node.module or _is_module(n)]
            for name in names:
                target = _unit(name)
                if target is not None and target != source and target != "archiver":
                    edges[source].add((target, module))
    return edges


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one room (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for other in graph.get(node, set()):
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            component = set()
            while True:
                top = stack.pop()
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_no_import_cycle_between_packages() -> None:
    edges = import_edges()
    graph = {room: {target for target, _ in out} for room, out in edges.items()}
    loops = cycles(graph)
    detail = [
        f"{module} -> {target}"
        for loop in loops
        for room in sorted(loop)
        for target, module in sorted(edges[room])
        if target in loop
    ]
    assert not loops, detail


def test_capture_does_not_import_the_store() -> None:
    # The WARC layer is given a CaptureLog (archiver/warc/revisits.py); it never names store/.
    edges = import_edges()
    assert sorted(m for target, m in edges["archiver.warc"] if target == "archiver.store") == []
