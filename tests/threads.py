"""Run a batch of threads that hammer the app at once, and fail on what they raised."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


def run_all(threads: list[threading.Thread], errors: list[BaseException], *,
            timeout: float = 120) -> None:
    """Start every thread, wait for all, and assert none raised and none hangs."""
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not errors, errors
    assert all(not t.is_alive() for t in threads), "a thread is still running"


def closer(app, round_id: int, official_id: int, *, ready: threading.Event,
           stop: threading.Event, errors: list[BaseException],
           snapshot: Callable[[], dict]) -> threading.Thread:
    """A thread that waits for ``ready`` (enough saved before the close), closes the round
    as the official in an app context of its own, and records in its ``closed`` dict how
    long the close took and ``snapshot()``: what the round holds the moment the close is
    committed. The others keep posting against the closed round for half a second, then
    ``stop`` is set."""
    from consult.accounts.models import User
    from consult.extensions import db
    from consult.rounds import lifecycle
    from consult.rounds.models import Round

    def run() -> None:
        try:
            assert ready.wait(timeout=60)
            with app.app_context():
                started = time.perf_counter()
                lifecycle.close(db.session.get(User, official_id),
                                db.session.get(Round, round_id), reason="并发测试")
                db.session.commit()
                thread.closed["took"] = time.perf_counter() - started
                thread.closed.update(snapshot())
                db.session.remove()
            time.sleep(0.5)
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()

    thread = threading.Thread(target=run)
    thread.closed = {}  # type: ignore[attr-defined]
    return thread
