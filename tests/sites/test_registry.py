"""The site registry: every site of the record schema is in it, and nobody else names sites."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import archiver
from archiver.record import Site
from archiver.sites.registry import SITE_NAMES, SITES
from archiver.sites.urls import parse_article_url, site_of

PROJECT = Path(archiver.__file__).parent.parent


def test_every_site_of_the_schema_has_an_entry() -> None:
    assert tuple(SITES) == SITE_NAMES == get_args(Site)
    assert all(info.name == name for name, info in SITES.items())


def test_a_sites_hosts_are_its_domain_and_every_host_under_it() -> None:
    for info in SITES.values():
        assert site_of(f"https://{info.domain}/") == info.name
        assert site_of(f"https://www.{info.domain}/a") == info.name
        assert site_of(f"https://not{info.domain}/") is None


def test_url_date_precision_matches_the_url_grammar() -> None:
    # A "month" site's article URLs carry the first of the month; a "day" site's the day itself.
    cd = parse_article_url(
        "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    )
    gt = parse_article_url("https://www.globaltimes.cn/page/202405/1312790.shtml")
    assert cd is not None and gt is not None
    assert SITES[cd.site].url_date == "day" and cd.url_date is not None and cd.url_date.day == 13
    assert SITES[gt.site].url_date == "month" and gt.url_date is not None and gt.url_date.day == 1


def _site_literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and node.value in SITE_NAMES:
        return [str(node.value)]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [name for element in node.elts for name in _site_literals(element)]
    return []


def test_no_module_outside_sites_compares_a_site_name_to_a_literal() -> None:
    offending = []
    files = [*(PROJECT / "archiver").rglob("*.py"), *(PROJECT / "spiders").rglob("*.py")]
    for path in sorted(files):
        relative = path.relative_to(PROJECT).as_posix()
        if relative.startswith("archiver/sites/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            compared: list[ast.AST] = []
            if isinstance(node, ast.Compare):
                compared = [node.left, *node.comparators]
            elif isinstance(node, ast.match_case) and isinstance(node.pattern, ast.MatchValue):
                compared = [node.pattern.value]
            if any(_site_literals(side) for side in compared):
                offending.append(f"{relative}:{getattr(node, 'lineno', '?')}")
    assert offending == []
