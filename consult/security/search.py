"""Searching text columns for what a person typed: the one way consult builds a
substring match, so ``%`` and ``_`` (LIKE's wildcards) and ``\\`` are matched as
themselves everywhere (a search for "100%" finds "100%", not every row)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func


def contains_text(column, term: str) -> ColumnElement[bool]:
    """``column`` contains ``term``, ignoring case, wildcards escaped."""
    return func.lower(column).contains(term.lower(), autoescape=True)
