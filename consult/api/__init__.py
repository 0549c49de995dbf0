"""Open data: a read-only JSON API under /api/v1 and CSV exports of public data."""
