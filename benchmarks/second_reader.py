"""What the second reader costs: CPU per page of extraction with and without trafilatura's
second reading, side by side in one process.

python -m benchmarks.second_reader [--source fixtures|mirror] [--rounds N] [--repeat N]

Takes the article pages of the page fixtures (tests/fixtures/pages, articles with a record) or
of one crawl of the bundled mirror (`--source mirror`), and alternates, `--rounds` times:
`extract_article(pages, second_reader=False)` (the site parser alone) and `extract_article(pages)`
(parser plus trafilatura's reading), each over every article `--repeat` times. This is exactly
the work an extraction worker process does per article, so CPU time of this one process is the
cost in a worker. Reports each side's best round as CPU ms per page and the ratio
with/without; also the agreement figures of the pages read. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from archiver.page import CapturedPage
from archiver.sites.extract import ExtractionError, extract_article

Articles = list[list[CapturedPage]]


def fixture_articles() -> Articles:
    """Pages of every fixture that gives a record (refused pages cost no second reading)."""
    from tests.fixture_pages import load, names

    out: Articles = []
    for name in names():
        pages = list(load(name).pages)
        try:
            extract_article(pages, second_reader=False)
        except ExtractionError:
            continue
        out.append(pages)
    return out


def mirror_articles() -> Articles:
    """Pages of every mirror article that gives a record, from one real crawl of both sites."""
    from benchmarks.reextract import crawl_pages

    out: Articles = []
    for pages in crawl_pages():
        try:
            extract_article(pages, second_reader=False)
        except ExtractionError:
            continue
        out.append(pages)
    return out


def cpu_ms_per_page(articles: Articles, second_reader: bool, repeat: int) -> float:
    """CPU milliseconds of this process per page, extracting every article `repeat` times."""
    pages = sum(len(a) for a in articles) * repeat
    started = time.process_time()
    for _ in range(repeat):
        for article in articles:
            extract_article(article, second_reader=second_reader)
    return (time.process_time() - started) * 1000 / pages


def best(measure: Callable[[], float], rounds: int) -> float:
    return min(measure() for _ in range(rounds))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("fixtures", "mirror"), default="fixtures")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args(argv)
    articles = fixture_articles() if options.source == "fixtures" else mirror_articles()
    # Warm up: imports (trafilatura's costs about a second) and lxml caches, outside the timing.
    for article in articles:
        extract_article(article)
    alone: list[float] = []
    both: list[float] = []
    for _ in range(options.rounds):  # alternated, so both sides see the same machine load
        alone.append(cpu_ms_per_page(articles, False, options.repeat))
        both.append(cpu_ms_per_page(articles, True, options.repeat))
    parser_alone, with_second = min(alone), min(both)
    agreements = [extract_article(a).extractor.agreement for a in articles]
    measured = [a for a in agreements if a is not None]
    print(f"source               {options.source}")
    print(f"articles / pages     {len(articles)} / {sum(len(a) for a in articles)}")
    print(f"parser alone         {parser_alone:7.2f} CPU ms per page (best of {options.rounds})")
    print(f"parser + second      {with_second:7.2f} CPU ms per page")
    print(f"second reading       {with_second - parser_alone:7.2f} CPU ms per page")
    print(f"ratio                {with_second / parser_alone:7.2f} x the parser alone")
    if measured:
        print(
            f"agreement            median {statistics.median(measured):.3f}, "
            f"min {min(measured):.3f}, {len(measured)} of {len(articles)} measured"
        )


if __name__ == "__main__":
    main()
