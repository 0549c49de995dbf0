"""Benchmarks of consult (``python bench/run.py``) and the data they run on
(``python -m bench.data``); nothing here is part of the application."""
