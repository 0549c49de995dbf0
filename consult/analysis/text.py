"""Tokenising opinions: jieba for Chinese (project user dictionary, offline), plain
word splitting for English, one stop-word list for both.

jieba builds a ~9 MB prefix-dictionary cache on first use; ``configure`` points it at
the app's instance folder instead of the system temp directory. ``jieba.analyse`` is
not used (it imports pkg_resources and leaves a file open): TF-IDF is our own.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from functools import lru_cache

import jieba
from flask import current_app

DATA = os.path.join(os.path.dirname(__file__), "data")
USERDICT = os.path.join(DATA, "userdict.txt")
STOPWORDS = os.path.join(DATA, "stopwords.txt")

_lock = threading.Lock()
_ready = False

_HAN = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[\u3400-\u9fff]+")
# jieba's own block pattern (re_han_default): the text is split with it, capturing.
_BLOCKS = jieba.re_han_default
MEMO_LIMIT = 200_000  # blocks remembered per analysis run


def configure(cache_dir: str | None) -> None:
    """Load the dictionary once (thread-safe), caching it in ``cache_dir``."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        jieba.setLogLevel(logging.WARNING)
        if cache_dir:
            os.makedirs(cache_dir, exist_ok=True)
            jieba.dt.tmp_dir = cache_dir
        jieba.dt.initialize()
        with open(USERDICT, "rb") as f:  # a path would leave the file open
            jieba.dt.load_userdict(f)
        _ready = True


def _ensure() -> None:
    if not _ready:
        try:
            configure(current_app.instance_path)
        except RuntimeError:  # outside an app (bench, plain unit tests)
            configure(os.environ.get("CONSULT_JIEBA_CACHE") or None)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    with open(STOPWORDS, encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f
                         if line.strip() and not line.startswith("#"))


def normalize(text: str) -> str:
    """NFKC (full-width to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _english(word: str) -> str:
    """A very light plural folding so "spaces"/"space" count as one term."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _block_tokens(block: str, stop: frozenset[str]) -> list[str]:
    out: list[str] = []
    for piece in jieba.dt.cut(block, HMM=True):
        piece = piece.strip()
        if not piece or piece in stop:
            continue
        if _HAN.match(piece):
            if len(piece) >= 2 and _WORD.fullmatch(piece):
                out.append(piece)
        elif _WORD.fullmatch(piece):
            word = _english(piece)
            if word not in stop and len(word) >= 2:
                out.append(word)
    return out


def normalized_tokens(norm: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    """``tokens`` of an already normalised text. jieba cuts a text block by block (runs of
    word characters, and what lies between them), each block on its own, so the words of
    a block are remembered in ``memo``: phrases repeated across a round's opinions
    (quoted clauses, pasted campaigns, set expressions) are segmented once."""
    _ensure()
    stop = stopwords()
    if memo is None:
        return _block_tokens(norm, stop)
    out: list[str] = []
    for block in _BLOCKS.split(norm):
        if not block:
            continue
        got = memo.get(block)
        if got is None:
            got = _block_tokens(block, stop)
            if len(memo) < MEMO_LIMIT:
                memo[block] = got
        out.extend(got)
    return out


def tokens(text: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    """Content words of one opinion: Chinese words of 2+ characters, English words of
    2+ letters, without stop words, numbers and punctuation."""
    return normalized_tokens(normalize(text), memo)


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def compact(text: str) -> str:
    """The text without spaces and punctuation, for near-duplicate shingles."""
    return _PUNCT.sub("", normalize(text))


def compact_normalized(norm: str) -> str:
    """``compact`` of an already normalised text."""
    return _PUNCT.sub("", norm)
