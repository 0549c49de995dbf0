"""consult as production runs it: Debian's nginx with deploy/nginx/consult.conf (TLS with a
throwaway self-signed certificate, HTTP/2) in front of gunicorn with gunicorn.conf.py and
wsgi.py, all on free loopback ports, stopped and removed afterwards.

Shown through the real proxy: https works (HTTP/2 offered), plain http redirects once, the
client address reaches the rate limiter through ProxyFix (and a forged X-Forwarded-For does
not change it), static files come from nginx with the fingerprinted cache headers, bodies
over the limit get 413 from nginx, the health checks answer plain http from the proxy's
address, the app's log lines are JSON with nginx's request id, and /metrics is read from
loopback only. Nothing needs root: nginx runs as the user running the test, or as nobody
when that is root.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

import consult.models  # noqa: F401 - every table, for create_all
from consult.config import Config
from consult.extensions import db

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "consult.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
API_LIMIT = 3  # per minute per address, for the rate-limit check


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args[0]} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on {port} after {seconds} s:\n{log.read_text()[-3000:]}")


def site_config(tmp: Path, *, http: int, https: int, app: int, static: Path) -> str:
    """deploy/nginx/consult.conf with this test's ports, certificate and static folder.
    Every replacement must happen: a changed deploy file fails here, not silently."""
    text = SITE.read_text()
    replacements = [
        ("    listen 80;\n", f"    listen 127.0.0.1:{http};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https}$request_uri;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};"),
        ("/etc/letsencrypt/live/consult.example.gov.cn/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/letsencrypt/live/consult.example.gov.cn/privkey.pem", str(tmp / "key.pem")),
        ("/srv/consult/consult/static/", f"{static}/"),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/consult.conf no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def nginx_config(tmp: Path, site: Path) -> str:
    temp = "\n".join(f"    {kind}_temp_path {tmp}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format ids '$remote_addr "$request" $status $request_id';
    access_log {tmp}/nginx-access.log ids;
{temp}
    include {site};
}}
"""


@dataclass
class Stack:
    tmp: Path
    http: int
    https: int
    app: int
    tls: ssl.SSLContext
    app_log: Path

    def https_get(self, path: str, *, source: str = "127.0.0.1", headers: dict | None = None,
                  method: str = "GET", body: bytes | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPSConnection("127.0.0.1", self.https, context=self.tls,
                                           timeout=10, source_address=(source, 0))
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def plain_get(self, port: int, path: str, *, source: str = "127.0.0.1"
                  ) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                          source_address=(source, 0))
        conn.request("GET", path)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def logs(self) -> str:
        """The end of gunicorn's and nginx's logs, for a failing assertion's message."""
        return "\n".join(path.read_text()[-4000:] for path in (
            self.app_log, self.tmp / "nginx-error.log") if path.exists())

    def app_records(self) -> list[dict]:
        """The app's JSON log lines (gunicorn's stderr) so far."""
        records = []
        for line in self.app_log.read_text().splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, wait: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: `make test` installs it (scripts/install-browser)")
    tmp = Path(tempfile.mkdtemp(prefix="consult-proxy-"))
    as_root = os.geteuid() == 0
    gunicorn = nginx = None
    try:
        http_port, https_port, app_port = free_port(), free_port(), free_port()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
            check=True, capture_output=True)
        database = tmp / "consult.sqlite3"
        engine = create_engine(f"sqlite:///{database}")
        db.metadata.create_all(engine)
        engine.dispose()

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CONSULT_", "GUNICORN_", "MAIL_", "PROMETHEUS_"))
               and k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FORWARDED_ALLOW_IPS")}
        env.update({
            "CONSULT_ENV": "production", "SECRET_KEY": "proxy-test-" + "k" * 40,
            "CONSULT_SITE_URL": f"https://127.0.0.1:{https_port}",
            "DATABASE_URL": f"sqlite:///{database}", "CONSULT_PROXY_FIX_HOPS": "1",
            "CONSULT_API_RATE_LIMIT": f"{API_LIMIT} per minute", "CONSULT_WARM_UP": "off",
            "GUNICORN_BIND": f"127.0.0.1:{app_port}", "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4", "CONSULT_JIEBA_CACHE": str(tmp), "LANG": "C.UTF-8",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        })
        app_log = tmp / "gunicorn.log"
        with app_log.open("wb") as out:
            gunicorn = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "-c",
                 str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

        static = ROOT / "consult" / "static"
        if as_root:
            # No root in the server: nginx runs as nobody, and everything it reads or writes
            # belongs to nobody (the static files too: the checkout may sit in a folder only
            # root may enter).
            static = Path(shutil.copytree(static, tmp / "static"))
        site = tmp / "site.conf"
        site.write_text(site_config(tmp, http=http_port, https=https_port, app=app_port,
                                    static=static))
        (tmp / "nginx.conf").write_text(nginx_config(tmp, site))
        nginx_log = tmp / "nginx-stderr.log"
        if as_root:
            for path in [tmp, *tmp.rglob("*")]:
                shutil.chown(path, "nobody")
        tmp.chmod(0o755)
        with nginx_log.open("wb") as out:
            nginx = subprocess.Popen(
                [NGINX, "-e", "stderr", "-p", str(tmp), "-c", str(tmp / "nginx.conf"),
                 "-g", "daemon off;"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                **({"user": "nobody", "group": "nogroup"} if as_root else {}))
        wait_for_port(https_port, nginx, nginx_log)
        wait_for_port(app_port, gunicorn, app_log)

        tls = ssl.create_default_context(cafile=str(tmp / "cert.pem"))
        yield Stack(tmp, http_port, https_port, app_port, tls, app_log)
    finally:
        _stop(nginx)  # SIGTERM: nginx's and gunicorn's fast shutdown
        _stop(gunicorn, signal.SIGINT, wait=3)  # its interpreter takes seconds to exit
        shutil.rmtree(tmp, ignore_errors=True)


def test_https_serves_the_app_with_http2_offered(stack):
    response = stack.https_get("/", headers={"Accept-Language": "en"})
    assert response.status == 200, stack.logs()
    assert b"<html" in response.body
    assert response.getheader("Strict-Transport-Security")  # the app knows it is https
    assert "Secure" in (response.getheader("Set-Cookie") or "Secure")
    # ALPN: nginx offers HTTP/2 on the TLS port.
    with socket.create_connection(("127.0.0.1", stack.https)) as raw:
        context = ssl.create_default_context(cafile=str(stack.tmp / "cert.pem"))
        context.set_alpn_protocols(["h2", "http/1.1"])
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.selected_alpn_protocol() == "h2"


def test_plain_http_redirects_once_to_the_same_address_over_https(stack):
    response = stack.plain_get(stack.http, "/consultations/?q=%E5%85%BB%E8%80%81")
    assert response.status == 301
    location = response.getheader("Location")
    assert location == f"https://127.0.0.1:{stack.https}/consultations/?q=%E5%85%BB%E8%80%81"
    followed = stack.https_get(location.split(str(stack.https), 1)[1])
    assert followed.status == 200  # no second redirect


def test_client_addresses_reach_the_rate_limiter_through_proxyfix(stack):
    path = "/api/v1/consultations"
    for _ in range(API_LIMIT):
        assert stack.https_get(path, source="127.0.0.2").status == 200
    assert stack.https_get(path, source="127.0.0.2").status == 429
    # A forged X-Forwarded-For does not make another client of it: nginx appends the real
    # address and ProxyFix trusts only that last hop.
    forged = stack.https_get(path, source="127.0.0.2", headers={"X-Forwarded-For": "10.9.8.7"})
    assert forged.status == 429
    # Another address has its own allowance.
    other = stack.https_get(path, source="127.0.0.3")
    assert other.status == 200
    # The app logged the real addresses, in JSON, with the id nginx gave the request (and
    # returned to the client).
    rid = other.getheader("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    record = next(r for r in stack.app_records() if r.get("request_id") == rid)
    assert record["logger"] == "consult.access"
    assert (record["client"], record["path"], record["status"]) == ("127.0.0.3", path, 200)
    clients = {r["client"] for r in stack.app_records() if r.get("path") == path}
    assert clients == {"127.0.0.2", "127.0.0.3"}
    # nginx writes its access line when it finalises the request, which may come just
    # after the client has the response: wait for it (bounded), never assume it is there.
    log = stack.tmp / "nginx-access.log"
    for _attempt in range(50):
        if rid in log.read_text():
            break
        time.sleep(0.1)
    assert rid in log.read_text()


def test_static_files_come_from_nginx_with_fingerprinted_caching(stack):
    html = stack.https_get("/").body.decode()
    url = re.search(r'href="(/static/css/consult\.css\?v=[0-9a-f]{12})"', html).group(1)
    versioned = stack.https_get(url)
    assert versioned.status == 200
    assert versioned.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert versioned.body == (ROOT / "consult" / "static" / "css" / "consult.css").read_bytes()
    plain = stack.https_get("/static/css/consult.css")
    assert plain.getheader("Cache-Control") == "no-cache"
    assert not [r for r in stack.app_records() if str(r.get("path", "")).startswith("/static/")]


def test_bodies_over_the_limit_get_413_from_nginx(stack):
    body = b"x" * (Config.MAX_CONTENT_LENGTH + 1)
    response = stack.https_get("/auth/login", method="POST", body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 413
    assert b"nginx" in response.body  # nginx's page: the app never saw it
    assert not [r for r in stack.app_records() if r.get("path") == "/auth/login"]


def test_health_answers_plain_http_from_the_proxy_address(stack):
    live = stack.plain_get(stack.app, "/healthz")
    assert (live.status, live.body) == (200, b"ok")
    ready = stack.plain_get(stack.app, "/readyz")
    assert ready.status == 200
    assert json.loads(ready.body) == {"status": "ready", "checks": {"database": "ok"}}
    # Every other page is still sent to https in production.
    assert stack.plain_get(stack.app, "/consultations/").status in (301, 302)


def test_metrics_are_read_from_loopback_only(stack):
    stack.https_get("/api/v1/departments")
    scraped = stack.plain_get(stack.app, "/metrics")
    assert scraped.status == 200
    text = scraped.body.decode()
    assert re.search(r'consult_http_requests_total\{method="GET",route="/api/v1/consultations",'
                     r'status="429"\} [1-9]', text)
    assert "consult_http_request_duration_seconds_bucket" in text
    assert "consult_db_pool_checked_out" in text
    assert 'consult_analysis_jobs{status="queued"}' in text
    assert stack.plain_get(stack.app, "/metrics", source="127.0.0.2").status == 403
    assert stack.https_get("/metrics").status == 404  # nginx does not pass it on


def test_the_nginx_body_limit_is_the_apps():
    limit = re.search(r"client_max_body_size (\d+)m;", SITE.read_text()).group(1)
    assert int(limit) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_staff_uploads_pass_nginx_up_to_the_upload_limit(stack):
    body = b"x" * (Config.MAX_CONTENT_LENGTH + 1)
    response = stack.https_get("/manage/rounds/1/ledger/import", method="POST", body=body,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert b"nginx" not in response.body  # the app answered, not nginx's 413
    assert [r for r in stack.app_records() if r.get("path") == "/manage/rounds/1/ledger/import"]


def test_the_nginx_upload_limit_is_the_apps():
    limit = re.search(r"location /manage/ \{\s*client_max_body_size (\d+)m;",
                      SITE.read_text()).group(1)
    # One file of UPLOAD_MAX_BYTES and the form around it (uploads.takes_files).
    assert int(limit) * 1024 * 1024 >= Config.UPLOAD_MAX_BYTES + 64 * 1024
    assert int(limit) * 1024 * 1024 <= Config.UPLOAD_MAX_BYTES + 2 * 1024 * 1024
