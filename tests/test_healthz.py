"""/healthz: 200 when the database and Redis answer, 503 naming the failed part, no secrets, no login."""

from __future__ import annotations

import json
import socket

import pytest
from django.test import Client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db
def test_it_answers_200_when_the_database_and_redis_answer(client: Client, settings, redis_url: str) -> None:
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_redis_when_redis_is_down(client: Client, settings) -> None:
    port = closed_port()
    settings.REDIS_URL = f"redis://:hunter2-secret@127.0.0.1:{port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "error"}
    body = response.content.decode()
    for leak in ("hunter2", str(port), "127.0.0.1", "redis://"):
        assert leak not in body


@pytest.mark.django_db
def test_it_checks_only_the_database_when_no_redis_is_configured(client: Client, settings) -> None:
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_is_unreachable(client: Client, settings, postgres) -> None:
    from django.db import connection

    settings.REDIS_URL = ""
    # Break this connection for real: close it and point it at a port where no server listens.
    # (PostgreSQL only: the SQLite test database lives in memory and is never really closed.)
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.update(real)
    assert response.status_code == 503
    assert response.json() == {"database": "error"}


@pytest.mark.django_db
def test_it_needs_no_login_and_is_never_cached(client: Client, settings) -> None:
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_it_costs_one_query(client: Client, settings, django_assert_num_queries) -> None:
    settings.REDIS_URL = ""
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_it_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_a_failure_is_logged_without_the_url(client: Client, settings, caplog) -> None:
    settings.REDIS_URL = f"redis://:hunter2-secret@127.0.0.1:{closed_port()}/0"
    with caplog.at_level("WARNING", logger="health"):
        client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "health"]
    assert record.kv_fields["check"] == "redis"
    assert "hunter2" not in json.dumps(record.kv_fields)


@pytest.mark.django_db
def test_it_answers_head_for_monitors_that_probe_with_it(client: Client, settings) -> None:
    settings.REDIS_URL = ""

    response = client.head("/healthz")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options", "trace"])
def test_it_refuses_other_methods_and_says_nothing_more(client: Client, method: str) -> None:
    response = getattr(client, method)("/healthz")

    assert response.status_code == 405
    assert response.content == b""


@pytest.mark.django_db
def test_it_names_no_host_version_or_setting(client: Client, settings) -> None:
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.json() == {"database": "ok"}
    assert "Server" not in response.headers
