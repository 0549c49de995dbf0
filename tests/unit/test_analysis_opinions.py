"""The analysis finds the structure planted in tests/data/opinions_zh_en.json."""

from __future__ import annotations

import zlib
from collections import Counter

import pytest

from consult.analysis import duplicates, groups, keyterms, text, themes
from tests.analysis_corpus import corpus, plain


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    text.configure(str(tmp_path_factory.mktemp("jieba")))
    raw = corpus()
    opinions, supports, stances, maps = plain(raw)
    return raw, opinions, supports, stances, maps


def test_tokens_use_the_user_dictionary_and_stop_words():
    toks = text.tokens("建议在小区增加停车位和充电桩，日间照料中心的收费标准太高了。"
                       "Please add more parking spaces!")
    for word in ("停车位", "充电桩", "日间照料中心", "收费标准", "parking", "space"):
        assert word in toks
    for stop in ("建议", "的", "please", "more", "和"):
        assert stop not in toks


def test_key_terms_include_the_planted_words(data):
    raw, opinions, *_ = data
    found = [t["term"] for t in keyterms.key_terms(opinions, Counter(), 0, limit=40)["overall"]]
    for term in raw["planted_terms"]:
        assert term in found, (term, found)


def test_key_terms_are_ranked_against_the_background(data):
    _, opinions, *_ = data
    # A site where every opinion talks about parking: parking is no longer special.
    background = [["停车位", "parking"]] * 500
    df, n = keyterms.document_frequency(background)
    ranked = [t["term"] for t in keyterms.rank([o["tokens"] for o in opinions], df, n,
                                                limit=10)]
    assert "停车位" not in ranked and "parking" not in ranked


def test_key_terms_per_clause(data):
    _, opinions, *_ = data
    per_clause = keyterms.key_terms(opinions, Counter(), 0)["per_clause"]
    assert any(t["term"] in ("停车位", "车位", "停车场") for t in per_clause["1"][:5])
    assert any(t["term"] in ("养老服务", "老年人", "护理员", "日间照料中心")
               for t in per_clause["2"][:5])


def test_the_campaign_is_one_group_counted_by_accounts(data):
    raw, opinions, _, _, maps = data
    found = duplicates.duplicate_groups(opinions)
    assert len(found) == 1
    group = found[0]
    assert {maps["key_of"][m] for m in group["members"]} == set(raw["campaign"])
    assert group["size"] == 15 and group["authors"] == 15


def test_no_duplicates_among_distinct_opinions(data):
    _, opinions, *_ = data
    distinct = [o for o in opinions if o["body"].find("坚决反对") < 0]
    assert duplicates.duplicate_groups(distinct) == []


def test_themes_recover_the_planted_topics_with_high_purity(data):
    raw, opinions, _, _, maps = data
    result = themes.suggest_themes(opinions)
    topic = {o["key"]: o["topic"] for o in raw["opinions"]}
    assert 3 <= result["k"] <= 12
    majority = 0
    best_share: dict[str, float] = {}
    for t in result["themes"]:
        counts = Counter(topic[maps["key_of"][m]] for m in t["members"])
        majority += counts.most_common(1)[0][1]
        for name, n in counts.items():
            best_share[name] = max(best_share.get(name, 0), n / sum(counts.values()))
        assert t["terms"] and t["examples"]
    clustered = sum(t["size"] for t in result["themes"])
    assert majority / clustered >= 0.8
    # Every planted topic leads at least one theme; the campaign is a theme of its own.
    for name in ("parking", "elderly", "fees", "access", "campaign"):
        assert best_share.get(name, 0) >= 0.6, (name, best_share)


def test_two_opinion_groups_with_their_comments_and_the_consensus(data):
    raw, opinions, supports, stances, maps = data
    result = groups.opinion_groups(supports, stances)
    assert result["status"] == "ok" and result["k"] == 2
    users = maps["users"]
    placed = result["user_groups"]
    for planted in raw["groups"].values():
        labels = {placed[str(users[u])] for u in planted}
        assert len(labels) == 1  # each planted group lands in one found group
    assert placed[str(users["g1-0"])] != placed[str(users["g2-0"])]
    by_label = {g["group"]: g for g in result["groups"]}
    for name, comments in raw["group_comments"].items():
        label = placed[str(users[raw["groups"][name][0]])]
        rep = {maps["key_of"][f'comment:{r["comment_id"]}']
               for r in by_label[label]["representative"]}
        assert rep and rep <= set(comments)
    consensus = {maps["key_of"][f'comment:{c["comment_id"]}'] for c in result["consensus"]}
    assert set(raw["consensus"]) <= consensus
    assert not consensus & set(raw["group_comments"]["g1"])
    assert len(result["points"]) == 40


def test_too_few_participants_for_groups():
    result = groups.opinion_groups([(1, 1), (1, 2), (2, 1)], [])
    assert result["status"] == "too_few" and result["groups"] == []


def test_remembered_blocks_segment_as_jieba_does(data):
    raw, *_ = data
    memo: dict[str, list[str]] = {}
    bodies = [o["body"] for o in raw["opinions"]] * 2 + ["ＰＡＲＫＩＮＧ spaces，停车位不够！", ""]
    assert [text.tokens(b, memo) for b in bodies] == [text.tokens(b) for b in bodies]
    assert memo  # the second pass over the corpus came from the memo


def test_duplicates_of_short_and_very_long_texts():
    # Shorter than a shingle: the whole text is one shingle.
    assert duplicates.find_groups(["ab", "a b", "a", "xyz"], min_length=0) == [[0, 1]]
    # A shingle is the CRC-32 of its three characters' UTF-8 (of the text, if shorter).
    for key in ("停车位不够abc", "ab", "x"):
        codes, _ = duplicates.shingle_codes([key])
        crcs = set(duplicates.crc_shingles(codes).tolist())
        assert crcs == {zlib.crc32(key[i:i + 3].encode())
                        for i in range(max(1, len(key) - 2))}
    # Longer than one signature chunk: its own buffer, still grouped with its near copy.
    rng = __import__("random").Random(5)
    long = "".join(rng.choice("停车位充电桩小区增加养老服务收费标准") for _ in range(
        duplicates.SHINGLES_AT_ONCE + 500))
    texts = ["另一条完全不同的意见内容", long, long[:-3] + "新增的", "again something else"]
    assert duplicates.find_groups(texts) == [[1, 2]]
