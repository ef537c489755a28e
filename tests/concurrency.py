"""Run database work from several threads at the same moment, each on its own connection.

Races only show on PostgreSQL (SQLite serialises writers), so the tests that use this ask for the `postgres`
fixture and `django_db(transaction=True)`: each thread sees only what is committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once[T](*workers: Callable[[], T], timeout: float = 60.0) -> list[T]:
    """Call every worker in its own thread, released together by a barrier; return what each returned.

    A worker's exception is raised here, after all threads have ended, so a crash in a thread fails the test
    with its own traceback. Each thread closes its database connection, or the test database could not be
    dropped at the end of the run.
    """
    barrier = threading.Barrier(len(workers))
    results: list[T] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(worker: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=10)
            result = worker()
            with lock:
                results.append(result)
        except Exception as exc:  # handed to the test thread below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError(f"a worker was still running after {timeout} s")
    if errors:
        raise errors[0]
    return results
