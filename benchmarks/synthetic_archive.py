"""A synthetic archive for benchmarks: records/ of many articles made from the bundled pages.

Run: python -m benchmarks.synthetic_archive DIR [--records 30000] [--seed 0]

The bundled mirror's article pages are extracted once with the archiver's own extraction (no
crawl); their records are the templates. Each synthetic record takes a template's site,
language, kind, section and extractor, gets its own article id and URL in the site's form, a
publication time spread over the ten years before 2026-09-28 (Beijing), a title with a few
words swapped and a text mixed from paragraphs (Chinese: sentences) of all the templates of its
language with a few words from the whole vocabulary, so texts differ and words have a natural
spread of frequencies. About 5% of the articles get a second version (an edit). One
`records/<site>/synthetic-<seed>.jsonl` file per site; captures name a WARC file that does not
exist (search and lists read only records and the index). `build` also builds the index, as
`archiver index rebuild` does.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from archiver.layout import ArchiveLayout
from archiver.mirror import bundled_root, load_manifest
from archiver.mirror.server import file_path_for
from archiver.page import CapturedPage
from archiver.record import Article, CaptureRef
from archiver.sites.extract import extract_article
from archiver.store.index.rebuild import rebuild_from_files
from archiver.store.versions import next_version

BEIJING = timezone(timedelta(hours=8))
NEWEST = datetime(2026, 9, 28, tzinfo=BEIJING)
YEARS = 10
EDITED_SHARE = 0.05


@dataclass(frozen=True)
class SyntheticArchive:
    """What `build` made: `records` lines for `articles` articles under `root`, and the index
    (None when not built) with the seconds its build took, on the clock and of CPU (the fairer
    figure on a shared machine)."""

    root: Path
    records: int
    articles: int
    index_path: Path | None
    index_seconds: float
    write_seconds: float
    index_cpu_seconds: float = 0.0


@dataclass(frozen=True)
class _Pools:
    templates: tuple[Article, ...]
    pieces: dict[str, tuple[str, ...]]  # language -> paragraphs (en) or sentences (zh)
    words: dict[str, tuple[str, ...]]  # language -> words (zh: two-character runs)


def build(root: Path, records: int, seed: int = 0, index: bool = True) -> SyntheticArchive:
    """Write a synthetic archive of `records` record lines under `root` (made if missing) and,
    with `index`, build its index at ARCHIVER_DIR/index.sqlite3 from the files. Deterministic
    for a given `records` and `seed`."""
    started = time.perf_counter()
    articles = write_records(root, records, seed)
    written = time.perf_counter() - started
    if not index:
        return SyntheticArchive(root, records, articles, None, 0.0, written)
    path = ArchiveLayout(root).index_path
    started, cpu = time.perf_counter(), time.process_time()
    rebuild_from_files(root, path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return SyntheticArchive(root, records, articles, path, seconds, written, cpu)


def write_records(root: Path, records: int, seed: int) -> int:
    """Write the record lines (see the module docstring); returns the number of articles."""
    rng = random.Random(seed)
    pools = _pools()
    folder = ArchiveLayout(root).records_root
    handles = {}
    for site in sorted({t.site for t in pools.templates}):
        (folder / site).mkdir(parents=True, exist_ok=True)
        handles[site] = (folder / site / f"synthetic-{seed}.jsonl").open("w", encoding="utf-8")
    written = articles = 0
    try:
        while written < records:
            first = _synthetic(rng, pools, articles)
            versions = [next_version(None, first)]
            if written + 1 < records and rng.random() < EDITED_SHARE:
                versions.append(next_version(versions[0], _edited(rng, pools, first)))
            for record in versions:
                assert record is not None
                handles[record.site].write(record.to_json_line() + "\n")
                written += 1
            articles += 1
    finally:
        for handle in handles.values():
            handle.close()
    return articles


def _synthetic(rng: random.Random, pools: _Pools, number: int) -> Article:
    template = rng.choice(pools.templates)
    minutes = rng.randrange(YEARS * 365 * 24 * 60)
    published = NEWEST - timedelta(minutes=minutes + 1)
    article_id, url = _identity(template, number, published)
    capture = CaptureRef(
        url=url,
        warc_file=f"warc/{template.site}/synthetic.warc.gz",
        warc_offset=number * 4096,
        warc_record_id=f"<urn:uuid:00000000-0000-4000-8000-{number:012x}>",
        fetched_at=(published + timedelta(hours=rng.randrange(1, 48))).astimezone(UTC),
        status=200,
    )
    return template.model_copy(
        update={
            "url": url,
            "article_id": article_id,
            "title": _title(rng, pools, template),
            "published_at": published,
            "updated_at": None,
            "dates_raw": [],
            "text": _text(rng, pools, template.language),
            "pages": [url],
            "captures": [capture],
        }
    )


def _edited(rng: random.Random, pools: _Pools, first: Article) -> Article:
    capture = first.captures[0].model_copy(
        update={"fetched_at": first.captures[0].fetched_at + timedelta(days=rng.randrange(1, 30))}
    )
    text = first.text + "\n\n" + rng.choice(pools.pieces[first.language])
    return first.model_copy(update={"text": text, "captures": [capture]})


def _identity(template: Article, number: int, published: datetime) -> tuple[str, str]:
    # The site's own forms: China Daily "WS" + 24 hex digits, Global Times a number.
    if template.article_id.startswith("WS"):
        article_id = f"WS5e{number:022x}"
        url = f"https://www.chinadaily.com.cn/a/{published:%Y%m/%d}/{article_id}.html"
    else:
        article_id = str(3_000_000 + number)
        url = f"https://www.globaltimes.cn/page/{published:%Y%m}/{article_id}.shtml"
    return article_id, url


def _title(rng: random.Random, pools: _Pools, template: Article) -> str:
    if template.language == "zh":
        return "".join(rng.sample(pools.words["zh"], rng.randrange(4, 9)))
    words = template.title.split()
    for _ in range(min(3, len(words))):
        words[rng.randrange(len(words))] = rng.choice(pools.words["en"])
    return " ".join(words)


def _text(rng: random.Random, pools: _Pools, language: str) -> str:
    pieces = pools.pieces[language]
    vocabulary = pools.words[language]
    if language == "zh":
        chosen = [rng.choice(pieces) for _ in range(rng.randrange(20, 80))]
        chosen += ["".join(rng.sample(vocabulary, 6)) + "。"]
        return "".join(chosen)
    paragraphs = [rng.choice(pieces) for _ in range(rng.randrange(8, 30))]
    paragraphs.append(" ".join(rng.sample(vocabulary, 12)).capitalize() + ".")
    rng.shuffle(paragraphs)
    return "\n\n".join(paragraphs)


@cache
def _pools() -> _Pools:
    templates = tuple(_templates())
    pieces: dict[str, tuple[str, ...]] = {}
    words: dict[str, tuple[str, ...]] = {}
    for language in ("en", "zh"):
        texts = [t.text for t in templates if t.language == language]
        if language == "zh":
            found = [s + "。" for text in texts for s in re.split("[。\n]+", text) if s.strip()]
            runs = re.findall(r"[\u4e00-\u9fff]{2,}", "".join(texts))
            words[language] = tuple(
                sorted({run[i : i + 2] for run in runs for i in range(0, len(run) - 1, 2)})
            )
        else:
            found = [p for text in texts for p in text.split("\n\n") if p.strip()]
            words[language] = tuple(
                sorted({w.lower() for w in re.findall(r"[A-Za-z]{3,}", " ".join(texts))})
            )
        pieces[language] = tuple(found)
    return _Pools(templates, pieces, words)


def _templates() -> list[Article]:
    """The records of the bundled mirror's article pages (first pages), extracted offline."""
    site = bundled_root() / "site"
    out = []
    for article in load_manifest().articles:
        if article.expect != "article":
            continue
        parts = urlsplit(article.url)
        relative = file_path_for(parts.path)
        if relative is None:
            continue
        body = (site / parts.netloc / relative).read_bytes()
        out.append(extract_article([CapturedPage(url=article.url, body=body)]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the archive directory to write (ARCHIVER_DIR)")
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-index", action="store_true", help="write records/ only")
    options = parser.parse_args()
    made = build(options.root, options.records, options.seed, index=not options.no_index)
    print(
        f"{made.records:,} records of {made.articles:,} articles in {made.root} "
        f"(written in {made.write_seconds:.1f} s; index built in {made.index_seconds:.1f} s)"
    )


if __name__ == "__main__":
    main()
