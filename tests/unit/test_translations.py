"""The catalogs are complete: every message in the code is translated into zh_CN."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "consult" / "translations"


def _catalog(locale: str):
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh)


def _source_messages() -> set:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def test_zh_cn_catalog_has_no_empty_or_fuzzy_entry():
    catalog = _catalog("zh_CN")
    bad = [m.id for m in catalog if m.id and (not _translated(m) or m.fuzzy)]
    assert not bad, f"untranslated or fuzzy zh_CN entries: {bad[:20]}"


def test_every_message_in_the_code_is_in_both_catalogs():
    source = _source_messages()
    for locale in ("zh_CN", "en"):
        catalog = _catalog(locale)
        known = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}
        missing = sorted(map(str, source - known))
        assert not missing, (
            f"{locale}: run `flask translate update` and translate: {missing[:20]}")


def test_zh_cn_placeholders_match_the_english():
    """A translation that drops or renames a %(name)s placeholder would crash the page."""
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|%%")
    catalog = _catalog("zh_CN")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(pattern.findall(ids[-1]))
        for string in strings:
            if string and sorted(pattern.findall(string)) != expected:
                wrong.append(ids[0])
    assert not wrong, f"placeholders differ from the English: {wrong[:20]}"


def _raw_msgids(locale: str) -> list[tuple[str, str]]:
    """(context, msgid) of every entry as written in the file: the reader keeps only the
    last of two equal entries, so only the text shows a message entered twice."""
    lines = (CATALOGS / locale / "LC_MESSAGES" / "messages.po").read_text("utf-8").splitlines()
    found, context, i = [], "", 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgctxt "):
            context = line
        elif line.startswith("msgid "):
            parts = [line[len("msgid "):]]
            while i + 1 < len(lines) and lines[i + 1].startswith('"'):
                i += 1
                parts.append(lines[i])
            found.append((context, "".join(parts)))
            context = ""
        i += 1
    return found


def test_no_message_is_in_a_catalog_twice():
    """Two entries for one message (a merge joins them) and one wins silently: a sender
    column showed 起始日期 ("from" a date) that way."""
    for locale in ("zh_CN", "en"):
        seen: set = set()
        twice = [m for m in _raw_msgids(locale) if m in seen or seen.add(m)]
        assert twice == [], f"{locale}: {twice}"
