"""Every consult benchmark in one command, each figure measured beside its reference.

    python bench/run.py --scale small|medium|large [--json out.json] [--seconds 10]
                        [--only P2 [--only P1 ...]]

P1  /rounds/<id>/comments and /consultations/<id> of the consultation with the most
    comments, through gunicorn (gunicorn.conf.py) on SQLite, against the floor: a bare
    Flask+SQLAlchemy route in the same worker that selects the same rows and renders them
    with a minimal template (bench/floor.py, served by bench/wsgi.py). Served from the
    page cache, under a stream of supports (a busy round's commonest change), on a miss (a
    comment edited again and again: ``round_changing``; each against the floor under the
    same changes) and with the page cache off; each row with the workers' CPU per
    request.
P2  A vote burst on PostgreSQL through gunicorn: 200 logged-in clients cast and change
    ballots on one open round for a bounded time; then an integrity check. Also the CPU
    per saved ballot of the app's workers, PostgreSQL and the load generator, which a
    loaded, shared machine changes far less than the ballots per second.
P3  Evaluator dashboard, public accountability page and API listing times, per request
    (p50/p95, queries), on SQLite and on PostgreSQL (``--skip-pg``: SQLite only).
P4  Cold start (process start to first 200) and worker RSS after warm-up, as a release
    runs: its code byte-compiled (the deploy step of the README's Production) and the
    template cache filled by its first start, which is timed too.

The load generator is bounded (fixed seconds per figure) and only talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_BASE = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# ------------------------------------------------------------------ databases

def build(url: str, scale: str, fresh: bool) -> dict:
    """Create the schema and the scale's data unless the database already has them."""
    from sqlalchemy import func, select

    from bench.data import BENCH_DOMAIN, generate, viral_round_id
    from consult.app import create_app
    from consult.extensions import db
    from consult.participation.models import Comment
    from consult.rounds.models import Round

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if fresh:
            db.drop_all()
        db.create_all()
        from consult.accounts.models import User
        have = db.session.scalar(select(func.count()).select_from(User)
                                 .where(User.email.like(f"%@{BENCH_DOMAIN}")))
        took = 0.0
        if not have:
            started = time.perf_counter()
            generate(scale)
            db.session.commit()
            took = time.perf_counter() - started
            if url.startswith("postgresql"):
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                        "VACUUM ANALYZE")
        rid = viral_round_id()
        round_ = db.session.get(Round, rid)
        from consult.accounts.models import Role, RoleAssignment
        evaluator = db.session.scalar(select(User).where(User.email.like(f"%@{BENCH_DOMAIN}"))
                                      .order_by(User.id).limit(1))
        if not evaluator.has_role(Role.EVALUATOR):  # P3 reads as an evaluator
            db.session.add(RoleAssignment(user_id=evaluator.id, role=Role.EVALUATOR))
            db.session.commit()
        readers = list(db.session.scalars(  # the first ones: never P2's voters
            select(User.email).where(User.email.like(f"%@{BENCH_DOMAIN}"))
            .order_by(User.id).offset(1).limit(5)))
        voters = list(db.session.scalars(
            select(User.email).where(User.email.like(f"%@{BENCH_DOMAIN}"))
            .order_by(User.id.desc()).limit(200)))
        voter_ids = list(db.session.scalars(
            select(User.id).where(User.email.like(f"%@{BENCH_DOMAIN}"))
            .order_by(User.id.desc()).limit(200)))
        floor_round, db_floor_round = db.session.scalars(
            select(Round.id).where(Round.id != rid).order_by(Round.id).limit(2))
        info = {"round_id": rid, "consultation_id": round_.consultation_id,
                "voter_ids": voter_ids, "floor_round_id": floor_round,
                "db_floor_round_id": db_floor_round,
                "comments": db.session.scalar(select(func.count()).select_from(Comment)
                                              .where(Comment.round_id == rid)),
                "voters": voters, "readers": readers, "evaluator": evaluator.email,
                "generate_s": round(took, 1),
                "rows": {name: db.session.scalar(select(func.count()).select_from(
                    db.metadata.tables[name])) for name in (
                        "ballot", "survey_answer", "round_participant", "round", "user")}}
        db.engine.dispose()
    return info


def pg_create(name: str) -> str:
    import psycopg
    with psycopg.connect(PG_BASE.replace("+psycopg", "") + "/postgres", autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_BASE}/{name}"


# ------------------------------------------------------------------ server

def prepare_release() -> str:
    """What a deploy does before the release's first start: byte-compile the app (its
    files are read-only to the service, so Python could not write the bytecode itself),
    and an empty template cache of the bench's own, which the first start fills. Every
    server of the run uses it (CONSULT_TEMPLATE_CACHE); returns its folder."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "consult", "wsgi.py", "bench"],
                   cwd=ROOT, check=True)
    folder = tempfile.mkdtemp(prefix="consult-bench-templates-")
    os.environ["CONSULT_TEMPLATE_CACHE"] = folder
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, extra_env: dict | None = None):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url,
               "CONSULT_RATELIMIT_ENABLED": "false", "SECRET_KEY": "bench-secret-key-" + "x" * 32,
               "GUNICORN_ACCESSLOG": "", "GUNICORN_LOGLEVEL": "warning",
               "PYTHONPATH": str(ROOT), **(extra_env or {})}
        env.pop("REDIS_URL", None) if "REDIS_URL" not in (extra_env or {}) else None
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
             "--bind", f"{HOST}:{self.port}", "bench.wsgi:app"], cwd=ROOT, env=env,
            start_new_session=True)
        self.cold_start_s = self._wait()

    def _wait(self) -> float:
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not start")

    def worker_rss_mb(self) -> list[float]:
        out = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
            out.append(round(kb / 1024, 1))
        return sorted(out)

    def worker_memory_mb(self) -> dict[str, list[float]]:
        """RSS, PSS and USS of each worker (/proc/<pid>/smaps_rollup): the pages preloaded
        in the master are shared, so PSS (shared pages split between their processes) and
        USS (the worker's own) say what one more worker costs."""
        out: dict[str, list[float]] = {"rss": [], "pss": [], "uss": []}
        for pid in self.worker_pids():
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            kb = {m.group(1): int(m.group(2))
                  for m in re.finditer(r"^(\w+):\s+(\d+) kB", rollup, re.M)}
            out["rss"].append(round(kb["Rss"] / 1024, 1))
            out["pss"].append(round(kb["Pss"] / 1024, 1))
            out["uss"].append(round((kb["Private_Clean"] + kb["Private_Dirty"]) / 1024, 1))
        return {k: sorted(v) for k, v in out.items()}

    def worker_pids(self) -> list[int]:
        out = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if f"PPid:\t{self.proc.pid}\n" in status:
                out.append(int(pid))
        return out

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # idle keep-alive connections hold a worker
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# ------------------------------------------------------------------ load

class Client:
    """One keep-alive connection with a cookie jar (enough for our own pages)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        data = resp.read()
        for value in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return resp, data


def log_in(port: int, email: str) -> dict[str, str]:
    """The cookies of a session logged in as ``email`` (a bench user)."""
    from bench.data import BENCH_PASSWORD
    c = Client(port)
    _, page = c.request("GET", "/auth/login")
    token = CSRF.search(page.decode()).group(1)
    resp, _ = c.request("POST", "/auth/login", {"csrf_token": token, "email": email,
                                                "password": BENCH_PASSWORD})
    assert resp.status == 303, resp.status
    return c.cookies


def load(port: int, path: str, seconds: float, concurrency: int,
         cookies: dict[str, str] | None = None, *, server: Server | None = None,
         hit_queries: float | None = None) -> dict:
    """``concurrency`` clients GET ``path`` for ``seconds`` (with ``cookies``: as the
    logged-in user whose session they hold). With ``server``: also the CPU its workers
    spent per request (``cpu_ms``), which a busy, shared machine changes far less than the
    requests per second. ``hit_queries``: the statements a page served from the page cache
    issues, to report the share of requests that issued more (``list_missed``)."""
    lat: list[float] = []
    queries: list[int] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        c = Client(port)
        c.cookies.update(cookies or {})
        mine, q = [], []
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            resp, _ = c.request("GET", path)
            mine.append(time.perf_counter() - t0)
            if resp.status != 200:
                errors[0] += 1
            q.append(int(resp.headers.get("X-Queries", -1)))
        with lock:
            lat.extend(mine)
            queries.extend(q)

    cpu_before = _cpu_seconds(server.worker_pids()) if server is not None else {}
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    extra = {}
    if server is not None:
        spent = sum(cpu - cpu_before.get(pid, 0.0)
                    for pid, cpu in _cpu_seconds(server.worker_pids()).items())
        extra["cpu_ms"] = round(1000 * spent / max(len(lat), 1), 2)
    if hit_queries is not None:
        missed = sum(q > hit_queries for q in queries)
        extra["list_missed"] = round(missed / max(len(queries), 1), 2)
    return summary(lat, took, errors=errors[0], queries=statistics.median(queries or [0]),
                   **extra)


@contextmanager
def round_changing(url: str, round_id: int, kind: str = "support", every_s: float = 0.004):
    """A busy round: every ``every_s`` seconds while the block runs, more often than a
    worker renders the page, the newest comment changes, as consult changes it (the
    comment and the round's versions in one transaction), from a connection of this
    process (SQLite's own module: next to nothing of the machine's CPU):

    - ``support``: someone supports it or takes their support back (its counter and the
      round's content version; its counts version, which a support does not move, stays):
      every reading misses the page kept whole, and fills the supports now into the list
      kept under the counts version;
    - ``edit``: its author edits its text (both versions move, as any edit moves them;
      not the tally version, as an edit moves no count): every reading misses the list
      too (``list_missed`` says how many did) and renders it again, the edited card
      rendered, the other parts and the counts read from their own keys.

    The comment is back as it was at the end."""
    import sqlite3
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA synchronous = NORMAL")
    newest, body = conn.execute(
        "SELECT id, body FROM comment WHERE round_id = ? AND parent_id IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT 1", (round_id,)).fetchone()
    stop, moved = threading.Event(), [0]

    def support(delta: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        if kind == "support":
            conn.execute("UPDATE comment SET support_count = support_count + ? WHERE id = ?",
                         (delta, newest))
            conn.execute("UPDATE round SET content_version = content_version + 1 "
                         "WHERE id = ?", (round_id,))
        else:
            conn.execute("UPDATE comment SET body = ? WHERE id = ?",
                         (body + "（补充）" * (moved[0] + delta), newest))
            conn.execute("UPDATE round SET content_version = content_version + 1, "
                         "counts_version = counts_version + 1 WHERE id = ?", (round_id,))
        conn.execute("COMMIT")
        moved[0] += delta

    def change() -> None:
        while not stop.wait(every_s):
            support(-1 if moved[0] else 1)

    changer = threading.Thread(target=change)
    changer.start()
    try:
        yield
    finally:
        stop.set()
        changer.join()
        if moved[0]:
            support(-moved[0])
        conn.close()


def summary(lat: list[float], took: float, **extra) -> dict:
    lat = sorted(lat) or [0.0]
    return {"requests": len(lat), "rps": round(len(lat) / took, 1),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "p95_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.95))], 1), **extra}


# ------------------------------------------------------------------ figures

def p1(info: dict, url: str, seconds: float) -> tuple[dict, Server]:
    server = Server(url)
    rid, cid = info["round_id"], info["consultation_id"]
    pages = {"floor": f"/_bench/floor/rounds/{rid}", "comments": f"/rounds/{rid}/comments",
             "consultation": f"/consultations/{cid}"}
    # A citizen who takes part, reading the round logged in (not one of P2's voters).
    citizen = info["readers"][0]
    reader = log_in(server.port, citizen)
    for path in pages.values():  # warm-up: every worker imports templates, fills caches
        load(server.port, path, 1.0, 5)
    load(server.port, pages["comments"], 1.0, 5, reader)
    out = {name: load(server.port, path, seconds, 8, server=server)
           for name, path in pages.items()}
    out["comments, logged in"] = load(server.port, pages["comments"], seconds, 8, reader,
                                      server=server)
    # The round keeps changing under a visitor and a logged-in reader: supported (the
    # page kept whole is missed, the list kept under the counts version is not), then
    # edited (a miss: the list is rendered again from the parts kept by their own keys).
    # Their reference is the floor under the same changes: every write to SQLite makes
    # each connection of every worker drop its page cache, and the floor pays for that too.
    for kind, change in (("supported", "support"), ("missed", "edit")):
        with round_changing(url, rid, change):
            out[P1_FLOORS[kind]] = load(server.port, pages["floor"], seconds, 8,
                                        server=server)
            out[f"comments, {kind}"] = load(server.port, pages["comments"], seconds, 8,
                                            server=server,
                                            hit_queries=out["comments"]["queries"])
            out[f"comments, logged in, {kind}"] = load(
                server.port, pages["comments"], seconds, 8, reader, server=server,
                hit_queries=out["comments, logged in"]["queries"])
    # The same page with the page cache off: nothing kept at all (a worker's first
    # rendering), for a visitor and for a logged-in reader; against the same floor.
    uncached = Server(url, {"CONSULT_PAGE_CACHE": "false"})
    try:
        reader = log_in(uncached.port, citizen)
        load(uncached.port, pages["comments"], 1.0, 5)
        out["comments, cache off"] = load(uncached.port, pages["comments"], seconds, 8,
                                          server=uncached)
        out["comments, logged in, cache off"] = load(uncached.port, pages["comments"],
                                                     seconds, 8, reader, server=uncached)
    finally:
        uncached.stop()
    for name in P1_PAGES:
        floor = out[P1_REFERENCE.get(name, "floor")]
        out[name]["ratio_to_floor"] = round(out[name]["rps"] / floor["rps"], 2)
        # the same ratio in the workers' CPU per request (floor's / the page's)
        out[name]["cpu_ratio_to_floor"] = round(floor["cpu_ms"] / max(out[name]["cpu_ms"],
                                                                      0.01), 2)
    out["comments_in_round"] = info["comments"]
    return out, server


# The rows measured while the round changes are compared with the floor under the same
# changes; the others with the floor.
P1_FLOORS = {"supported": "floor, round supported", "missed": "floor, round edited"}
P1_FLOOR_LABELS = {"floor, round supported": "floor, a support every 4 ms (SQLite writes)",
                   "floor, round edited": "floor, an edit every 4 ms (SQLite writes)"}
P1_REFERENCE = {f"comments, {who}{kind}": floor for kind, floor in P1_FLOORS.items()
                for who in ("", "logged in, ")}
P1_PAGES = ("comments", "comments, logged in", "comments, supported",
            "comments, logged in, supported", "comments, missed",
            "comments, logged in, missed", "comments, cache off",
            "comments, logged in, cache off", "consultation")
P1_LABELS = {"comments": "comments page (not logged in: list from the page cache)",
             "comments, logged in": "comments page, logged-in citizen (shared list from the "
                                    "page cache, own parts filled in)",
             "comments, supported": "comments page, a support every 4 ms (the page kept "
                                    "whole missed, the list kept under the counts version "
                                    "filled with the supports now; vs the floor under the "
                                    "same changes)",
             "comments, logged in, supported": "comments page, logged-in citizen, a support "
                                               "every 4 ms (vs the floor under the same "
                                               "changes)",
             "comments, missed": "comments page, a comment edited every 4 ms (a miss: "
                                 "the list rendered again from the parts kept; vs the "
                                 "floor under the same changes)",
             "comments, logged in, missed": "comments page, logged-in citizen, a comment "
                                            "edited every 4 ms (their miss; vs the floor "
                                            "under the same changes)",
             "comments, cache off": "comments page, page cache off (nothing kept: a "
                                    "worker's first rendering)",
             "comments, logged in, cache off": "comments page, logged-in citizen, page cache "
                                               "off (nothing kept)",
             "consultation": "consultation page (draft from the page cache)"}
P1_TARGETS = {"comments, logged in": "≥ 0.80", "comments, missed": "≥ 0.80",
              "comments, logged in, missed": "≥ 0.80", "comments, supported": "≥ 0.80",
              "comments, logged in, supported": "≥ 0.80", "comments, cache off": "",
              "comments, logged in, cache off": ""}


def p2(info: dict, url: str, seconds: float, clients: int = 200) -> dict:
    server = Server(url)
    rid = info["round_id"]
    voters = info["voters"][:clients]
    ready, done = threading.Barrier(len(voters) + 1), []
    counts = {"ok": 0, "fail": 0}
    lat: list[float] = []
    lock = threading.Lock()
    from bench.data import BENCH_PASSWORD
    stop_at = [0.0]

    def voter(email: str, n: int):
        c = Client(server.port)
        _, page = c.request("GET", "/auth/login")
        token = CSRF.search(page.decode()).group(1)
        resp, _ = c.request("POST", "/auth/login", {"csrf_token": token, "email": email,
                                                    "password": BENCH_PASSWORD})
        _, page = c.request("GET", f"/rounds/{rid}/vote")
        token = CSRF.search(page.decode()).group(1)
        ok = fail = 0
        mine = []
        stances = ["support", "oppose", "support_with_changes", "abstain"]
        ready.wait()
        i = n
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            resp, _ = c.request("POST", f"/rounds/{rid}/vote",
                                {"csrf_token": token, "stance": stances[i % 4], "reason": ""})
            mine.append(time.perf_counter() - t0)
            if resp.status in (200, 302, 303):
                ok += 1
            else:
                fail += 1
            i += 1
        with lock:
            counts["ok"] += ok
            counts["fail"] += fail
            lat.extend(mine)
            done.append(email)

    threads = [threading.Thread(target=voter, args=(e, n)) for n, e in enumerate(voters)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600
    ready.wait()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    cpu_before = _burst_cpu(server, url)
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    cpu_after = _burst_cpu(server, url)
    load_after = os.getloadavg()
    server.stop()
    out = summary(lat, took, clients=len(voters), ok=counts["ok"], failed=counts["fail"])
    out["load_average_after_burst"] = load_after
    out["ballots_per_s"] = round(counts["ok"] / took, 1)
    # CPU spent per saved ballot (all cores, all threads): what the burst costs whatever
    # else the machine is doing, so runs on a shared machine can be compared.
    out["cpu_ms_per_ballot"] = {}
    for part, after in cpu_after.items():
        spent = sum(cpu - cpu_before[part].get(pid, 0.0) for pid, cpu in after.items())
        out["cpu_ms_per_ballot"][part] = round(1000 * spent / max(counts["ok"], 1), 2)
    out["integrity"] = integrity(url, rid)
    out["floor"] = p2_floor(info, url, seconds, clients)
    out["ratio_to_floor"] = round(out["ballots_per_s"] / max(out["floor"]["rps"], 0.1), 2)
    # the same ratio in the app server's CPU per saved ballot (the floor's over consult's),
    # which the machine's other load moves far less than the ballots per second
    out["cpu_ratio_to_floor"] = round(out["floor"]["cpu_ms_per_ballot"]
                                      / max(out["cpu_ms_per_ballot"]["app"], 0.01), 2)
    out["database"] = p2_database(info, url, seconds)
    return out


def p2_database(info: dict, url: str, seconds: float, connections: int = 20) -> dict:
    """The database's own limit: the floor's vote statements (lock the voter's ballot,
    insert or change it, move the tally; one transaction) sent straight to PostgreSQL by a
    minimal client, no web stack, over as many connections as the app's pools hold
    (5 workers x 4 threads), for the same time, on a third round."""
    import psycopg
    rid, lock = info["db_floor_round_id"], threading.Lock()
    stances = ["support", "oppose", "support_with_changes", "abstain"]
    voters = info["voter_ids"]
    lat: list[float] = []
    stop_at = [0.0]

    def voter(n: int):
        mine = []
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            i = n
            while time.perf_counter() < stop_at[0]:
                user_id, stance = voters[i % len(voters)], stances[(i // len(voters)) % 4]
                t0 = time.perf_counter()
                with conn.transaction():
                    found = conn.execute("SELECT id, stance FROM ballot WHERE round_id = %s "
                                         "AND user_id = %s FOR UPDATE", (rid, user_id)).fetchone()
                    if found is None:
                        conn.execute("INSERT INTO ballot (round_id, user_id, stance, created_at,"
                                     " updated_at) VALUES (%s, %s, %s, now(), now()) "
                                     "ON CONFLICT DO NOTHING", (rid, user_id, stance))
                        conn.execute("INSERT INTO vote_tally (round_id, support, "
                                     "support_with_changes, oppose, abstain) VALUES "
                                     "(%s, 0, 0, 0, 0) ON CONFLICT DO NOTHING", (rid,))
                        conn.execute(f"UPDATE vote_tally SET {stance} = {stance} + 1 "
                                     "WHERE round_id = %s", (rid,))
                    elif found[1] != stance:
                        conn.execute("UPDATE ballot SET stance = %s, updated_at = now() "
                                     "WHERE id = %s", (stance, found[0]))
                        conn.execute(f"UPDATE vote_tally SET {stance} = {stance} + 1, "
                                     f"{found[1]} = {found[1]} - 1 WHERE round_id = %s", (rid,))
                mine.append(time.perf_counter() - t0)
                i += connections
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=voter, args=(n,)) for n in range(connections)]
    started = time.perf_counter()
    stop_at[0] = started + seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(lat, time.perf_counter() - started, connections=connections)


def p2_floor(info: dict, url: str, seconds: float, clients: int) -> dict:
    """The P2 reference: the same burst against the bare vote route of the bench blueprint
    (bare Flask + SQLAlchemy Core, same gunicorn, same PostgreSQL), on another round."""
    server = Server(url)
    rid, stop_at, lock = info["floor_round_id"], [time.perf_counter() + seconds], threading.Lock()
    lat: list[float] = []
    failed = [0]
    stances = ["support", "oppose", "support_with_changes", "abstain"]

    def voter(user_id: int, n: int):
        c, mine, bad = Client(server.port), [], 0
        while time.perf_counter() < stop_at[0]:
            t0 = time.perf_counter()
            resp, _ = c.request("POST", f"/_bench/floor/vote/{rid}",
                                {"user_id": user_id, "stance": stances[n % 4]})
            mine.append(time.perf_counter() - t0)
            bad += resp.status != 303
            n += 1
        with lock:
            lat.extend(mine)
            failed[0] += bad

    try:
        threads = [threading.Thread(target=voter, args=(u, n))
                   for n, u in enumerate(info["voter_ids"][:clients])]
        pids = [server.proc.pid, *server.worker_pids()]
        cpu_before = _cpu_seconds(pids)
        started = time.perf_counter()
        stop_at[0] = started + seconds
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - started
        spent = sum(cpu - cpu_before.get(pid, 0.0) for pid, cpu in _cpu_seconds(pids).items())
    finally:
        server.stop()
    saved = max(len(lat) - failed[0], 1)
    # the app server's CPU per saved ballot, as consult's (``cpu_ms_per_ballot["app"]``)
    return summary(lat, took, failed=failed[0], cpu_ms_per_ballot=round(1000 * spent / saved, 2))


def _cpu_seconds(pids) -> dict[int, float]:
    """user + system CPU seconds of each live process (Linux /proc)."""
    tick, out = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _burst_cpu(server: Server, url: str) -> dict[str, dict[int, float]]:
    """CPU so far of the app's workers, the database's backends and this load generator."""
    import psycopg
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as c:
        backends = [pid for (pid,) in c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")]
    return {"app": _cpu_seconds([server.proc.pid, *server.worker_pids()]),
            "postgres": _cpu_seconds(backends),
            "load_generator": {os.getpid(): time.process_time()}}


def integrity(url: str, rid: int) -> dict:
    from sqlalchemy import create_engine, text
    eng = create_engine(url)
    with eng.connect() as c:
        rows, voters = c.execute(text(
            "SELECT count(*), count(DISTINCT user_id) FROM ballot WHERE round_id = :r"),
            {"r": rid}).one()
        recount = dict(c.execute(text(
            "SELECT stance, count(*) FROM ballot WHERE round_id = :r GROUP BY stance"),
            {"r": rid}).all())
        tally = c.execute(text("SELECT support, support_with_changes, oppose, abstain "
                               "FROM vote_tally WHERE round_id = :r"), {"r": rid}).one()._asdict()
        counter = c.execute(text("SELECT ballot_count FROM round WHERE id = :r"),
                            {"r": rid}).scalar()
        # Distinct participants per department, kept one participation at a time (the
        # burst's new voters included), against their recount over every participant row.
        unique = dict(c.execute(text(
            "SELECT c.department_id, count(DISTINCT p.user_id) FROM round_participant p "
            "JOIN round r ON r.id = p.round_id JOIN consultation c ON c.id = r.consultation_id "
            "WHERE c.published_at IS NOT NULL GROUP BY c.department_id")).all())
        kept = dict(c.execute(text(
            "SELECT department_id, participants FROM participant_tally "
            "WHERE month = '' AND department_id <> 0 AND participants > 0")).all())
    eng.dispose()
    tallied = all(tally[k] == recount.get(k, 0) for k in tally)
    ok = rows == voters == counter and tallied and kept == unique
    return {"ballot_rows": rows, "distinct_voters": voters, "round_ballot_count": counter,
            "tally_equals_recount": tallied, "unique_participants_equal_recount": kept == unique,
            "ok": ok}


def p3(server: Server, info: dict, requests: int = 20, only: tuple[str, ...] = ()) -> dict:
    from bench.data import BENCH_PASSWORD
    out = {}
    c = Client(server.port)
    _, page = c.request("GET", "/auth/login")
    token = CSRF.search(page.decode()).group(1)
    c.request("POST", "/auth/login", {"csrf_token": token, "email": info["evaluator"],
                                      "password": BENCH_PASSWORD})
    for name, path in (("evaluation dashboard", "/evaluation/"),
                       ("accountability page", "/accountability/"),
                       ("API consultations", "/api/v1/consultations"),
                       ("API round comments", f"/api/v1/rounds/{info['round_id']}/comments")):
        if only and name not in only:
            continue
        t0 = time.perf_counter()  # the first request: nothing kept yet (a changed data set)
        resp, _ = c.request("GET", path)
        first_ms = round(1000 * (time.perf_counter() - t0), 1)
        if resp.status == 404:
            out[name] = "not built"
            continue
        lat = []
        started = time.perf_counter()
        for _ in range(requests):
            t0 = time.perf_counter()
            resp, _ = c.request("GET", path)
            lat.append(time.perf_counter() - t0)
        out[name] = summary(lat, time.perf_counter() - started, status=resp.status,
                            queries=int(resp.headers.get("X-Queries", -1)), first_ms=first_ms)
    return out


def p3_production(url: str, info: dict, requests: int) -> dict:
    """The dashboard as production serves it: app servers with Redis, where ``flask rounds
    tick`` (cron) has counted the distinct participants ahead of the first evaluator."""
    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
    try:
        import redis
        redis.Redis.from_url(redis_url).flushdb()
    except Exception as exc:
        return {"evaluation dashboard": f"Redis unavailable ({type(exc).__name__})"}
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url,
           "PYTHONPATH": str(ROOT), "CONSULT_RATELIMIT_ENABLED": "false"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "flask", "--app", "consult.app", "rounds", "tick"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    tick_s = round(time.perf_counter() - started, 1)
    server = Server(url, {"REDIS_URL": redis_url})
    try:
        out = p3(server, info, requests, only=("evaluation dashboard",))
    finally:
        server.stop()
    if isinstance(out.get("evaluation dashboard"), dict):
        out["evaluation dashboard"]["tick_s"] = tick_s
    return out


# ------------------------------------------------------------------ main

FIGURES = ("P1", "P2", "P3", "P4")


def _span(values: list[float]) -> str:
    """The least and the most of the workers' figures ("98.0–118.6")."""
    return f"{min(values)}–{max(values)}" if values else "—"


def table(res: dict) -> str:
    lines = [f"consult bench — scale {res['scale']} — {res['date']} — {res['machine']}", "",
             "| figure | req/s | p50 ms | p95 ms | queries/req | vs reference | target |",
             "|---|---|---|---|---|---|---|"]
    p1r = res.get("P1")
    if p1r:
        f = p1r["floor"]
        lines.append(f"| P1 floor (bare Flask+SQLAlchemy, {p1r['comments_in_round']} comments)"
                     f" | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | {f['queries']} | 1.00 "
                     f"(CPU {f['cpu_ms']} ms) | |")
        for name, label in P1_FLOOR_LABELS.items():
            f = p1r.get(name)
            if f:
                lines.append(f"| P1 {label} | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | "
                             f"{f['queries']} | 1.00 (CPU {f['cpu_ms']} ms) | |")
        for name in P1_PAGES:
            if name not in p1r:
                continue
            r = p1r[name]
            missed = (f" (list missed on {r['list_missed']:.0%} of requests)"
                      if "list_missed" in r else "")
            lines.append(f"| P1 {P1_LABELS[name]}{missed} | {r['rps']} | {r['p50_ms']} | "
                         f"{r['p95_ms']} | {r['queries']} | {r['ratio_to_floor']:.2f} "
                         f"(CPU {r['cpu_ms']} ms: {r['cpu_ratio_to_floor']:.2f}) | "
                         f"{P1_TARGETS.get(name, '≥ 0.70')} |")
    p2r = res.get("P2")
    if isinstance(p2r, dict):
        i = p2r["integrity"]
        lines.append(f"| P2 vote burst ({p2r['clients']} clients, PostgreSQL) | "
                     f"{p2r['ballots_per_s']} ballots/s | {p2r['p50_ms']} | {p2r['p95_ms']} | | "
                     f"integrity {'OK' if i['ok'] else 'FAILED'}: {i['ballot_rows']} rows = "
                     f"{i['distinct_voters']} voters, tallies = recount: "
                     f"{i['tally_equals_recount']}; {p2r['failed']} failed | ≥ 0.90 of the floor |")
        if "floor" in p2r:
            f = p2r["floor"]
            lines.append(f"| P2 floor (bare Flask + SQLAlchemy Core vote, same burst) | "
                         f"{f['rps']} ballots/s | {f['p50_ms']} | {f['p95_ms']} | | "
                         f"P2 = {p2r['ratio_to_floor']:.2f} of it (app CPU per ballot "
                         f"{f['cpu_ms_per_ballot']} ms: P2 = {p2r['cpu_ratio_to_floor']:.2f} of "
                         f"it); {f['failed']} failed | |")
        if "database" in p2r:
            d = p2r["database"]
            lines.append(f"| P2 database (the floor's statements from a minimal client, "
                         f"{d['connections']} connections, no web stack) | {d['rps']} ballots/s"
                         f" | {d['p50_ms']} | {d['p95_ms']} | | floor = "
                         f"{p2r['floor']['rps'] / max(d['rps'], 0.1):.2f} of it, P2 = "
                         f"{p2r['ballots_per_s'] / max(d['rps'], 0.1):.2f} | |")
    elif p2r:
        lines.append(f"| P2 | {p2r} | | | | | |")
    for key, db_name in (("P3", "SQLite"), ("P3_pg", "PostgreSQL"),
                         ("P3_pg_redis", "PostgreSQL + Redis, after `flask rounds tick`")):
        for name, r in (res.get(key) or {}).items():
            if isinstance(r, dict):
                target = "≤ 300 ms" if name in ("evaluation dashboard",
                                                "accountability page") else ""
                lines.append(f"| P3 {name}, {db_name} (HTTP {r['status']}) | {r['rps']} | "
                             f"{r['p50_ms']} | {r['p95_ms']} | {r['queries']} | first request "
                             f"{r.get('first_ms', '?')} ms | {target} |")
            else:
                lines.append(f"| P3 {name}, {db_name} | {r} | | | | | |")
    p4r = res.get("P4")
    if p4r:
        lines.append(f"| P4 cold start | {p4r['cold_start_s']} s to first 200 | | | | | "
                     "≤ 1.5 s |")
        if "first_start_s" in p4r:
            lines.append(f"| P4 first start of a release (templates compiled and kept) | "
                         f"{p4r['first_start_s']} s to first 200 | | | | | |")
        rss = p4r["worker_rss_mb"]
        lines.append(f"| P4 worker RSS after warm-up | {_span(rss)} MB ({len(rss)} workers) "
                     "| | | | | ≤ 150 MB |")
        if "worker_memory_mb" in p4r:
            m = p4r["worker_memory_mb"]
            lines.append(f"| P4 worker PSS / USS after warm-up | {_span(m['pss'])} / "
                         f"{_span(m['uss'])} MB | | | | | |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--seconds", type=float, default=10.0, help="per load figure")
    ap.add_argument("--fresh", action="store_true", help="rebuild the databases")
    ap.add_argument("--sqlite-dir", type=Path, default=Path("/tmp"),
                    help="folder of the SQLite bench database (one per concurrent bench)")
    ap.add_argument("--pg-database", help="PostgreSQL bench database (default "
                    "consult_bench_<scale>; one per concurrent bench)")
    ap.add_argument("--skip-pg", action="store_true",
                    help="no PostgreSQL figures (P2, P3 on PostgreSQL)")
    ap.add_argument("--requests", type=int, default=20, help="per P3 page")
    ap.add_argument("--only", action="append", type=str.upper, choices=FIGURES,
                    help="run only this figure (repeatable; default: all)")
    args = ap.parse_args()
    only = set(args.only or FIGURES)

    res: dict = {"scale": args.scale, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                 "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
                 "command": " ".join(["python", "bench/run.py", *sys.argv[1:]])}
    res["load_average"] = {"start": os.getloadavg()}
    template_cache = prepare_release()
    if only & {"P1", "P3", "P4"}:
        sqlite_url = f"sqlite:///{args.sqlite_dir.resolve()}/consult-bench-{args.scale}.sqlite3"
        info = build(sqlite_url, args.scale, args.fresh)
        res["generate_sqlite_s"] = info["generate_s"]
        res["rows_sqlite"] = info["rows"]
        if "P4" in only:  # the release's first start: every template compiled and kept
            first = Server(sqlite_url)
            first_start_s = first.cold_start_s
            first.stop()
        if "P1" in only:
            res["P1"], server = p1(info, sqlite_url, args.seconds)
        else:  # P3 and P4 still need a started, warm server
            server = Server(sqlite_url)
            load(server.port, f"/rounds/{info['round_id']}/comments", 1.0, 5)
        if "P4" in only:
            res["P4"] = {"cold_start_s": round(server.cold_start_s, 2),
                         "first_start_s": round(first_start_s, 2),
                         "worker_rss_mb": server.worker_rss_mb(),
                         "worker_memory_mb": server.worker_memory_mb()}
        if "P3" in only:
            res["P3"] = p3(server, info, args.requests)
        server.stop()
    if only & {"P2", "P3"} and not args.skip_pg:
        pg_url = pg_create(args.pg_database or f"consult_bench_{args.scale}")
        pg_info = build(pg_url, args.scale, args.fresh)
        res["generate_pg_s"] = pg_info["generate_s"]
        res["rows_pg"] = pg_info["rows"]
        if "P3" in only:  # before the burst: P3 reads the generated data as it was
            server = Server(pg_url)
            load(server.port, f"/rounds/{pg_info['round_id']}/comments", 1.0, 5)
            res["P3_pg"] = p3(server, pg_info, args.requests)
            server.stop()
            res["P3_pg_redis"] = p3_production(pg_url, pg_info, args.requests)
        if "P2" in only:
            res["P2"] = p2(pg_info, pg_url, args.seconds)
    shutil.rmtree(template_cache, ignore_errors=True)
    res["load_average"]["end"] = os.getloadavg()
    print(table(res))
    if isinstance(res.get("P2"), dict) and "cpu_ms_per_ballot" in res["P2"]:
        print("P2 CPU per saved ballot (ms, all cores): " + ", ".join(
            f"{k} {v}" for k, v in res["P2"]["cpu_ms_per_ballot"].items()))
    print("load average (1, 5, 15 min): start {} end {}".format(
        *(", ".join(f"{x:.1f}" for x in res["load_average"][k]) for k in ("start", "end"))))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
