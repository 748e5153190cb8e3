"""The test kinds: every test says what it starts, and a unit test can start no process."""

from __future__ import annotations

import ast
import asyncio
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parent
KINDS = frozenset({"unit", "crawl", "replay", "browser", "redis", "postgres"})


def _marks(node: ast.expr) -> set[str]:
    """Kind names in a `pytest.mark.X`, `pytest.mark.X(...)` or a list/tuple of them."""
    if isinstance(node, ast.List | ast.Tuple):
        return {name for element in node.elts for name in _marks(element)}
    if isinstance(node, ast.Call):
        node = node.func
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
        and node.attr in KINDS
    ):
        return {node.attr}
    return set()


def unmarked_tests(source: str) -> list[str]:
    """Names of the test functions in `source` that carry no kind marker, neither their own
    nor the module's `pytestmark`."""
    tree = ast.parse(source)
    module: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            module |= _marks(node.value)
    if module:
        return []
    missing: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test_"
        ):
            kinds = {k for d in node.decorator_list for k in _marks(d)}
            if not kinds:
                missing.append(node.name)
    return missing


def test_every_test_has_a_kind() -> None:
    missing = {
        path.relative_to(TESTS).as_posix(): names
        for path in sorted(TESTS.rglob("test_*.py"))
        if (names := unmarked_tests(path.read_text(encoding="utf-8")))
    }
    assert missing == {}, (
        "mark these unit, crawl, replay, browser, redis or postgres (pyproject.toml)"
    )


def test_the_kind_check_sees_a_missing_marker() -> None:
    source = (
        "import pytest\n\n"
        "@pytest.mark.parametrize('x', [1])\ndef test_a(x): pass\n\n"
        "@pytest.mark.crawl\ndef test_b(): pass\n\n"
        "@pytest.mark.slow\ndef test_c(): pass\n"
    )
    assert unmarked_tests(source) == ["test_a", "test_c"]
    assert unmarked_tests("import pytest\npytestmark = [pytest.mark.replay]\n" + source) == []


def test_a_unit_test_cannot_start_a_process() -> None:
    # The refusal from tests/conftest.py: whichever way a process is started.
    with pytest.raises(AssertionError, match="marked unit started a process"):
        subprocess.run(["true"], check=False)
    with pytest.raises(AssertionError, match="marked unit started a process"):
        subprocess.Popen(["true"])

    async def spawn() -> None:
        await asyncio.create_subprocess_exec("true")

    with pytest.raises(AssertionError, match="marked unit started a process"):
        asyncio.run(spawn())
