"""Which articles this crawl has already taken on: one process (a set) or many workers (Redis)."""

from __future__ import annotations

from typing import Any, Protocol


class ArticleClaims(Protocol):
    """Once-per-run bookkeeping of articles by (site, article id)."""

    def claim(self, site: str, article_id: str) -> bool:
        """True the first time an article is claimed in this run, False ever after."""
        ...


class LocalClaims:
    """Claims held in this process: enough for a crawl on one machine."""

    def __init__(self) -> None:
        self._claimed: set[tuple[str, str]] = set()

    def claim(self, site: str, article_id: str) -> bool:
        key = (site, article_id)
        if key in self._claimed:
            return False
        self._claimed.add(key)
        return True


class RedisClaims:
    """Claims shared by every worker of a scaled-out run, in one Redis set.

    SADD is atomic, so two workers that find the same article on different list pages never
    both fetch it. The set expires `ttl` seconds after its last claim.
    """

    def __init__(self, server: Any, key: str, ttl: int) -> None:
        self.server = server
        self.key = key
        self.ttl = ttl

    def claim(self, site: str, article_id: str) -> bool:
        pipe = self.server.pipeline()
        pipe.sadd(self.key, f"{site}:{article_id}")
        pipe.expire(self.key, self.ttl)
        added, _ = pipe.execute()
        return bool(added)
