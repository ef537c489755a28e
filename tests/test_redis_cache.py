"""config.redis_cache.ReusingRedisCache against a real Redis: Django's cache API, one client per pool."""

from __future__ import annotations

import pytest

from config.redis_cache import ReusingRedisCache


@pytest.fixture
def cache(redis_url: str) -> ReusingRedisCache:
    backend = ReusingRedisCache(redis_url, {"KEY_PREFIX": "test-reusing-client"})
    backend.clear()
    return backend


def test_the_cache_api_works(cache: ReusingRedisCache) -> None:
    assert cache.get("missing", "fallback") == "fallback"
    cache.set("page", {"html": "<p>hi</p>"}, 30)
    assert cache.get("page") == {"html": "<p>hi</p>"}
    assert cache.add("page", "other") is False
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.incr("a") == 2
    cache.delete("page")
    assert cache.get("page") is None


def test_every_call_uses_the_same_client(cache: ReusingRedisCache) -> None:
    client = cache._cache.get_client()
    cache.set("k", "v")
    cache.get("k")
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client  # one server: reads and writes share its pool


def test_a_client_survives_a_lost_connection(cache: ReusingRedisCache) -> None:
    """The pool, not the client, holds the connections: a dropped one is replaced on the next call."""
    cache.set("k", "v")
    cache._cache.get_client().connection_pool.disconnect()
    assert cache.get("k") == "v"
