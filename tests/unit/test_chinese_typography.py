"""The zh_CN catalogue writes Chinese punctuation: no ASCII , . : ; ? ! ( ) next to a
Chinese character in any translation (placeholders count as Latin text)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from tests.typography import PLACEHOLDER, half_width_after_cjk, visible_text

CATALOG = (Path(__file__).resolve().parents[2] / "consult" / "translations" / "zh_CN"
           / "LC_MESSAGES" / "messages.po")

# Text typed as shown, not prose: a host:port address, a regular expression.
LITERAL = ("127.0.0.1:8000", "主机:端口", "unix:路径", "(a+)+")


def test_the_zh_cn_catalogue_has_no_half_width_punctuation_next_to_chinese():
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    bad = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            text = PLACEHOLDER.sub("X", string or "")
            for literal in LITERAL:
                text = text.replace(literal, "X")
            bad += [f"{message.id!r}: …{spot}…" for spot in half_width_after_cjk(text)]
    assert not bad, "ASCII punctuation in Chinese text:\n" + "\n".join(bad)


def test_the_check_finds_what_it_should():
    assert half_width_after_cjk("共3条意见(0)")
    assert half_width_after_cjk("截止日期: 12月2日")
    assert half_width_after_cjk("是否同意?")
    assert half_width_after_cjk("意见,建议")
    assert not half_width_after_cjk("共3条意见（0）：截止日期：12月2日，是否同意？")
    assert not half_width_after_cjk("见 https://example.org/a?b=1 的说明")
    assert visible_text('<p title="说明:">a<script>x("中:")</script>'
                        '<span class="user-text">用户:文本</span></p>') == "说明:\na"
