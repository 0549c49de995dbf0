"""Run a batch of threads that hammer the app at once, and fail on what they raised."""

from __future__ import annotations

import threading


def run_all(threads: list[threading.Thread], errors: list[BaseException], *,
            timeout: float = 120) -> None:
    """Start every thread, wait for all, and assert none raised and none hangs."""
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads), "a thread is still running"
