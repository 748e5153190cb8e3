"""The house rules, checked on the source tree as text (AST): nothing is imported.

Each rule is a function of a repository root that returns its violations, so that it is
tested twice: on this repository (must be clean) and on a small tree built in tmp_path with
one deliberate violation (must be caught), so that a rule that silently checks nothing fails.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent
PACKAGE = "archiver"
# Outside tests/: the code a contributor reads. tools/ holds the mirror generator.
SOURCE_DIRS = ("archiver", "spiders", "tools", "benchmarks", "scripts")
MAX_TOP_LEVEL_MODULES = 10
MAX_FUNCTION_LINES = 60
SITE_NAMES = frozenset({"chinadaily", "globaltimes"})


@dataclass(frozen=True)
class Import:
    """One imported module, resolved to its absolute dotted name."""

    module: str  # the importing module, e.g. archiver.warc.extension
    target: str  # e.g. archiver.store.index.archive_index
    where: str  # path:line
    type_only: bool  # inside `if TYPE_CHECKING:`
    statement: str  # as written, to show in a failure


def python_files(root: Path, *dirs: str) -> Iterator[Path]:
    """Every .py file under the named folders of `root` (missing folders are skipped)."""
    for name in dirs:
        folder = root / name
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob("*.py") if ".venv" not in p.parts)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes inside `if TYPE_CHECKING:` blocks."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                inside |= {id(n) for n in ast.walk(child)}
    return inside


def imports(root: Path, path: Path) -> list[Import]:
    """Every import in the file, at any depth (function-level imports count too)."""
    tree = _parse(path)
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    type_only = _type_checking_nodes(tree)
    found: list[Import] = []
    rel = path.relative_to(root).as_posix()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # `from archiver.store import index` may name a submodule: keep both readings.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found += [
            Import(name, t, f"{rel}:{node.lineno}", id(node) in type_only, ast.unparse(node))
            for t in targets
        ]
    return found


def room(dotted: str) -> str:
    """The package of archiver/ a module lives in: archiver.store.index.ingest -> archiver.store;
    a module directly under archiver/ is a room of its own (archiver.record)."""
    return ".".join(dotted.split(".")[:2])


def _existing(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_cycles(root: Path) -> list[str]:
    """Cycles between the packages of archiver/, one line per cycle with the arrows that make it."""
    arrows: dict[str, dict[str, str]] = {}
    for path in python_files(root, PACKAGE):
        if path.name == "__main__.py":
            continue  # an entry point: run, never imported, so it closes no cycle
        for imp in imports(root, path):
            if not imp.target.startswith(PACKAGE + ".") or not _existing(root, imp.target):
                continue
            source, target = room(imp.module), room(imp.target)
            if source != target:
                arrows.setdefault(source, {}).setdefault(target, imp.where)
    problems: list[str] = []
    for component in _strongly_connected(arrows):
        if len(component) > 1:
            members = sorted(component)
            shown = [
                f"{a} -> {b} ({where})"
                for a in members
                for b, where in sorted(arrows.get(a, {}).items())
                if b in component
            ]
            problems.append(" <-> ".join(members) + ": " + "; ".join(shown))
    return problems


def _strongly_connected(arrows: dict[str, dict[str, str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of the graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in arrows.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(set(arrows) | {t for ts in arrows.values() for t in ts}):
        if node not in index:
            visit(node)
    return components


def warc_imports_of_store(root: Path) -> list[str]:
    """Imports of archiver.store (and the index inside it) from archiver/warc/."""
    found = {
        f"{imp.where}: {imp.statement}"
        for path in python_files(root, f"{PACKAGE}/warc")
        for imp in imports(root, path)
        if imp.target == "archiver.store" or imp.target.startswith("archiver.store.")
    }
    return sorted(found)


def top_level_modules(root: Path) -> list[str]:
    """The modules directly under archiver/ when there are too many; [] otherwise."""
    names = sorted(p.name for p in (root / PACKAGE).glob("*.py"))
    return names if len(names) > MAX_TOP_LEVEL_MODULES else []


def long_functions(root: Path) -> list[str]:
    """Functions and methods (nested ones too) longer than MAX_FUNCTION_LINES lines, def line to
    last line, outside tests/."""
    found: list[str] = []
    for path in python_files(root, *SOURCE_DIRS):
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                    found.append(f"{where} {node.name}: {length} lines")
    return found


def _site_literals(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in SITE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_site_literals(e) for e in node.elts)
    return False


def _site_pattern(pattern: ast.pattern) -> bool:
    if isinstance(pattern, ast.MatchValue):
        return _site_literals(pattern.value)
    if isinstance(pattern, ast.MatchOr):
        return any(_site_pattern(p) for p in pattern.patterns)
    if isinstance(pattern, ast.MatchAs) and pattern.pattern is not None:
        return _site_pattern(pattern.pattern)
    return False


def site_name_branches(root: Path) -> list[str]:
    """Comparisons of a value with a site's name written as a literal (==, !=, is, in a literal
    tuple/list/set, a match case) outside archiver/sites/: the registry answers such questions."""
    found: list[str] = []
    sites = root / PACKAGE / "sites"
    for path in python_files(root, PACKAGE, "spiders"):
        if sites in path.parents:
            continue
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                    if isinstance(op, ast.In | ast.NotIn):
                        hit = _site_literals(right) and not isinstance(right, ast.Constant)
                    else:
                        hit = _site_literals(left) or _site_literals(right)
                    if hit:
                        found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
                        break
            elif isinstance(node, ast.match_case) and _site_pattern(node.pattern):
                found.append(f"{rel}:{node.pattern.lineno}: case {ast.unparse(node.pattern)}")
    return found


def imports_outside(root: Path, module: str, allowed: str, dirs: tuple[str, ...]) -> list[str]:
    """Imports of `module` (or its submodules) from files not under `allowed` (a file or a
    folder, relative to root); type-only imports (`if TYPE_CHECKING:`) are not uses."""
    found: list[str] = []
    for path in python_files(root, *dirs):
        rel = path.relative_to(root).as_posix()
        if rel == allowed or rel.startswith(allowed.rstrip("/") + "/"):
            continue
        found += [
            f"{imp.where}: {imp.statement}"
            for imp in imports(root, path)
            if (imp.target == module or imp.target.startswith(module + ".")) and not imp.type_only
        ]
    return sorted(set(found))


def trafilatura_imports(root: Path) -> list[str]:
    # Not benchmarks/: it times bare trafilatura as the baseline the archiver is compared with.
    dirs = (PACKAGE, "spiders", "tools")
    return imports_outside(root, "trafilatura", "archiver/sites/boilerplate.py", dirs)


def argparse_imports(root: Path) -> list[str]:
    return imports_outside(root, "argparse", "archiver/cli", (PACKAGE,))


# Statements as this project writes them (upper-case keywords), not prose that says "Select".
_SQL = re.compile(
    r"\s*(SELECT\b.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|"
    r"DELETE\s+FROM\b|CREATE\s+(TABLE|INDEX)\b|DROP\s+TABLE\b|PRAGMA\s+\w+)",
    re.S,
)


def sql_outside_the_index(root: Path) -> list[str]:
    """String literals that are SQL statements, in archiver/ outside store/index/."""
    found: list[str] = []
    for path in python_files(root, PACKAGE):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("archiver/store/index/"):
            continue
        found += [
            f"{rel}:{node.lineno}: {node.value.strip()[:60]}"
            for node in ast.walk(_parse(path))
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL.match(node.value)
        ]
    return found


# -- the rules on this repository ---------------------------------------------------------------


def test_no_import_cycle_between_packages() -> None:
    problems = import_cycles(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_capture_does_not_know_the_store() -> None:
    problems = warc_imports_of_store(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_few_modules_directly_under_archiver() -> None:
    problems = top_level_modules(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_no_function_over_60_lines() -> None:
    problems = long_functions(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_only_sites_branches_on_a_site_name() -> None:
    problems = site_name_branches(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_trafilatura_only_in_the_boilerplate_module() -> None:
    problems = trafilatura_imports(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_every_sql_statement_lives_in_the_index_package() -> None:
    problems = sql_outside_the_index(REPO)
    assert not problems, "\n" + "\n".join(problems)


def test_argparse_only_in_cli() -> None:
    problems = argparse_imports(REPO)
    assert not problems, "\n" + "\n".join(problems)


# -- each rule catches a deliberate violation ----------------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


PACKAGES = {
    "archiver/__init__.py": "",
    "archiver/record.py": "",
    "archiver/warc/__init__.py": "",
    "archiver/store/__init__.py": "",
    "archiver/store/index/__init__.py": "",
    "archiver/sites/__init__.py": "",
    "archiver/cli/__init__.py": "",
}


def test_a_cycle_through_a_function_level_import_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            **PACKAGES,
            "archiver/warc/writer.py": "from archiver.record import x\n",
            "archiver/store/index/ingest.py": "from ..versions import v\n",
            "archiver/store/versions.py": "def f():\n    from archiver.warc import writer\n",
        },
    )
    assert import_cycles(root) == []  # store -> warc only: no cycle yet
    (root / "archiver/warc/scan.py").write_text("def g():\n    from archiver.store import index\n")
    (cycle,) = import_cycles(root)
    assert cycle.startswith("archiver.store <-> archiver.warc: ")
    assert "archiver/warc/scan.py:2" in cycle and "archiver/store/versions.py:2" in cycle


def test_a_relative_import_of_the_index_from_warc_is_caught(tmp_path: Path) -> None:
    root = _tree(tmp_path, {**PACKAGES, "archiver/warc/extension.py": "import hashlib\n"})
    assert warc_imports_of_store(root) == []
    (root / "archiver/warc/extension.py").write_text(
        "def f():\n    from ..store.index.archive_index import ArchiveIndex\n"
    )
    assert warc_imports_of_store(root) == [
        "archiver/warc/extension.py:2: from ..store.index.archive_index import ArchiveIndex"
    ]


def test_an_eleventh_top_level_module_is_caught(tmp_path: Path) -> None:
    root = _tree(tmp_path, {f"archiver/m{n}.py": "" for n in range(10)})
    assert top_level_modules(root) == []
    (root / "archiver/one_more.py").write_text("")
    assert len(top_level_modules(root)) == 11


def test_a_61_line_method_is_caught_and_tests_are_not_read(tmp_path: Path) -> None:
    body = "".join(f"        x{n} = {n}\n" for n in range(59))
    root = _tree(
        tmp_path,
        {
            "spiders/a.py": f"class A:\n    def short(self):\n{body}",
            "tests/test_a.py": f"def test_long():\n{body}{body}",
        },
    )
    assert long_functions(root) == []  # 60 lines: the limit itself is fine
    (root / "spiders/a.py").write_text(f"class A:\n    def long(self):\n{body}        y = 1\n")
    assert long_functions(root) == ["spiders/a.py:2 long: 61 lines"]


@pytest.mark.parametrize(
    "code",
    [
        "if site == 'chinadaily':\n    pass\n",
        "ok = 'globaltimes' != spider.name\n",
        "ok = name in ('chinadaily', 'other')\n",
        "ok = name not in {'globaltimes'}\n",
        "match site:\n    case 'chinadaily' | 'x':\n        pass\n",
    ],
)
def test_a_site_name_literal_comparison_is_caught(tmp_path: Path, code: str) -> None:
    root = _tree(tmp_path, {"archiver/store/pipeline.py": code, "archiver/sites/extract.py": code})
    (found,) = site_name_branches(root)
    assert found.startswith("archiver/store/pipeline.py:")


def test_site_names_used_otherwise_are_fine(tmp_path: Path) -> None:
    code = (
        "name = 'chinadaily'\n"
        "SITES = ('chinadaily', 'globaltimes')\n"
        "ok = site in SITES\n"
        "ok = 'chinadaily' in text\n"
        "ok = site == other\n"
    )
    assert site_name_branches(_tree(tmp_path, {"spiders/chinadaily.py": code})) == []


def test_trafilatura_elsewhere_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "archiver/sites/boilerplate.py": "import trafilatura\n",
            "benchmarks/b.py": "from importlib.metadata import version\nversion('trafilatura')\n",
        },
    )
    assert trafilatura_imports(root) == []
    (root / "archiver/sites/extract.py").write_text("def f():\n    from trafilatura import x\n")
    assert trafilatura_imports(root) == ["archiver/sites/extract.py:2: from trafilatura import x"]


def test_argparse_outside_cli_is_caught(tmp_path: Path) -> None:
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import argparse\n"
    root = _tree(
        tmp_path,
        {
            "archiver/cli/common.py": "import argparse\n",
            "archiver/crawl/scrapy_commands/crawl.py": typed,
        },
    )
    assert argparse_imports(root) == []
    (root / "archiver/mirror").mkdir()
    (root / "archiver/mirror/__main__.py").write_text("import argparse\n")
    assert argparse_imports(root) == ["archiver/mirror/__main__.py:1: import argparse"]


def test_an_entry_point_may_import_the_cli_but_a_module_may_not(tmp_path: Path) -> None:
    files = {
        "archiver/__init__.py": "",
        "archiver/cli/__init__.py": "",
        "archiver/mirror/__init__.py": "",
        "archiver/cli/main.py": "from archiver.mirror import server\n",
        "archiver/mirror/server.py": "",
        "archiver/mirror/__main__.py": "from archiver.cli import main\n",
    }
    assert import_cycles(_tree(tmp_path / "entry", files)) == []
    files["archiver/mirror/server.py"] = "from archiver.cli import main\n"
    assert len(import_cycles(_tree(tmp_path / "module", files))) == 1


def test_sql_outside_the_index_is_caught(tmp_path: Path) -> None:
    files = {
        "archiver/store/index/db.py": 'Q = "SELECT url FROM captures"\n',
        "archiver/offline/ok.py": 'TEXT = "Select a site from the list"\n',
    }
    assert sql_outside_the_index(_tree(tmp_path / "clean", files)) == []
    files["archiver/offline/changes.py"] = (
        'Q = ("SELECT site, url FROM versions "\n     "WHERE x")\n'
    )
    assert len(sql_outside_the_index(_tree(tmp_path / "sql", files))) == 1
