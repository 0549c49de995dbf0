"""Production serving of static files and response compression.

* ``static_url(filename)`` (a Jinja global) adds ``?v=<content hash>`` to a static URL:
  the name changes whenever the content does, so fingerprinted requests are served with
  ``Cache-Control: public, max-age=31536000, immutable`` and browsers and proxies never ask
  again; a plain ``/static/...`` URL keeps Flask's revalidating default.
* Flask-Compress answers with brotli or gzip (``Accept-Encoding``) for HTML, CSS, JS, JSON
  and SVG bigger than 500 bytes; a reverse proxy may do this instead (then set
  ``COMPRESS_REGISTER=False``).
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, request, url_for
from flask_compress import Compress

ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml", "text/csv"])
    Compress(app)
    hashes: dict[str, tuple[float, str]] = {}

    def static_url(filename: str) -> str:
        path = os.path.join(app.static_folder or "", filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return url_for("static", filename=filename)
        known = hashes.get(filename)
        if known is None or known[0] != mtime:
            with open(path, "rb") as fh:
                known = (mtime, hashlib.sha256(fh.read()).hexdigest()[:12])
            hashes[filename] = known
        return url_for("static", filename=filename, v=known[1])

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def _long_cache_for_fingerprinted(response):
        # Runs before Flask-Compress, which swaps a streamed file for a generator and so
        # never closes the file (a ResourceWarning per static request): close it here.
        if response.is_streamed and hasattr(response.response, "close"):
            response.call_on_close(response.response.close)
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
