"""Django's Redis cache, keeping one redis-py client per connection pool instead of making one per call.

Django's client builds a new `redis.Redis` for every cache operation, and redis-py's constructor fills a
table of some 170 response callbacks each time: a third of a millisecond per call, more than the call
itself takes on a local Redis, on every request that reads its session or a cached page. A client only
holds the pool it takes connections from, so one per pool is shared safely between calls (redis-py clients
are thread-safe; the pool notices a fork and opens new connections in the child).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The stubs do not declare the private helpers Django's own get_client uses.
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
            client = self._clients[index] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient
