"""The index's own vocabulary (indexer/lexicon.py): what each segment's file holds, against what the index
itself says (its terms, document frequencies and stored headlines) and against the same data read without
the file; merged over segments, incremental updates, deletions, merges and edits of readings.toml."""

from __future__ import annotations

import pytest

import fixtures
from fixtures import SEEDS
from indexer import codec, index, lexicon, lexicon_segment, pinyin
from indexer.lexicon import HEADLINE, PHRASE, WORD, ZONE, Lexicon, for_searcher, keys_of
from indexer.search import Index


def entries(lx: Lexicon, kind: int) -> dict[str, int]:
    return {lx.text(i): int(lx.counts[i]) for i in range(len(lx)) if lx.kinds[i] == kind}


def readings(lx: Lexicon) -> set[tuple[str, str, int]]:
    return {(lx.text(int(i)), k.decode(), int(r)) for k, i, r in zip(lx.by_key.keys, lx.by_key.ids, lx.by_key.ranks)}


@pytest.fixture
def read_everywhere(monkeypatch):
    """Every segment written with its readings (as the worker processes of a large build write them)."""
    monkeypatch.setattr(lexicon_segment, "READ_FROM", 0)


def test_the_segment_file_holds_what_the_index_says(tmp_path, read_everywhere):
    index.update(tmp_path / "ix", [SEEDS])
    ix = Index(tmp_path / "ix")
    searcher = ix.searcher()
    reader = searcher.reader()
    ((leaf, _),) = reader.leaf_readers()
    assert codec.read_extra(leaf, lexicon.EXTENSION) is not None
    lx = for_searcher(ix, searcher)
    words = entries(lx, WORD)
    terms = {t.decode(): reader.doc_frequency("words", t) for t in reader.lexicon("words")}
    assert words == {t: n for t, n in terms.items() if lexicon.is_word(t)}  # a small index keeps hapaxes
    assert all(len(w) <= lexicon_segment.MAX_CHARS for w in words)
    titles = {reader.stored_fields(d)["title"] for d in range(reader.doc_count_all())}
    assert set(entries(lx, HEADLINE)) == titles
    for word in list(words)[::25]:
        assert {(k, r) for t, k, r in readings(lx) if t == word} == set(enumerate_keys(word))
    # The zones of the gazetteer, counted by the zone facet.
    zones, sets = entries(lx, ZONE), ix.facet_sets(searcher)
    counted = dict(zip(sets.values["zone"], sets.counts("zone", sets.all).tolist()))
    assert zones["凌源经济开发区"] == zones["凌源"] == counted["凌源经济开发区"] > 0


def enumerate_keys(word: str) -> list[tuple[str, int]]:
    return [(k, r) for r, k in enumerate(keys_of(word))]


def test_a_segment_without_its_file_gives_the_same_lexicon(tmp_path, read_everywhere, monkeypatch):
    """A segment Whoosh merged has no file: its data is read from its terms and stored headlines, its
    readings made when the lexicon is."""
    source = fixtures.write_jsonl(tmp_path / "in.jsonl", fixtures.records(fixtures.articles(60)))
    index.update(tmp_path / "ix", [SEEDS, source])
    ix = Index(tmp_path / "ix")
    with_file = Lexicon(ix.searcher())
    monkeypatch.setattr(
        codec, "read_extra", lambda leaf, ext: None if ext == lexicon.EXTENSION else original(leaf, ext)
    )
    without = Lexicon(ix.searcher())
    for kind in (WORD, HEADLINE, ZONE):
        assert entries(with_file, kind) == entries(without, kind)
    assert entries(with_file, PHRASE) == entries(without, PHRASE)
    assert readings(with_file) == readings(without)


original = codec.read_extra


def test_updates_deletions_and_merges(tmp_path):
    """Each update's segment joins the lexicon; replaced articles' headlines leave it; segments Whoosh
    merges (many small updates) are read without a file; counts are the index's own all along."""
    folder = tmp_path / "in"
    ix_dir = tmp_path / "ix"
    fixtures.write_articles(folder, fixtures.articles(8))
    index.update(ix_dir, [folder])
    ix = Index(ix_dir)
    first = for_searcher(ix)
    assert for_searcher(ix) is first  # one per generation
    for step in range(7):  # small updates: Whoosh merges the small segments after a few
        fixtures.write_articles(folder, fixtures.articles(3, start=8 + 3 * step, version=f"第{step}版更新"))
        fixtures.write_articles(folder, {"art0000": f"{fixtures.MARKER}改写{step}号\n\n新的正文{step}，凌钢集团扩能。"})
        index.update(ix_dir, [folder])
        searcher = ix.searcher()
        reader = searcher.reader()
        lx = for_searcher(ix, searcher)
        assert lx is not first
        live_titles = {reader.stored_fields(d)["title"] for d in reader.all_doc_ids()}
        assert set(entries(lx, HEADLINE)) == live_titles
        words = entries(lx, WORD)
        for word in ("凌钢集团", "扩能", fixtures.MARKER[:2]):
            if word in words:  # counts include replaced articles until Whoosh merges them away, as its own do
                assert words[word] == reader.doc_frequency("words", word)
    assert len(list(reader.leaf_readers())) < 8  # some segments were merged


def test_an_edit_of_readings_toml_is_seen_without_reindexing(tmp_path, read_everywhere, monkeypatch):
    index.update(tmp_path / "ix", [SEEDS])
    ix = Index(tmp_path / "ix")
    before = Lexicon(ix.searcher())
    assert before.words_read("chao yang")[0][0] == "朝阳"
    edited = {w: r for w, r in pinyin.overrides().items() if w != "朝阳"}
    monkeypatch.setattr(pinyin, "overrides", lambda: edited)
    pinyin._readings.cache_clear()
    try:
        after = Lexicon(ix.searcher())
        assert "朝阳" not in [w for w, _, r, _ in after.words_read("chao yang") if r == 0]
        assert [w for w, _, r, _ in after.words_read("zhao yang") if r == 0][:1] == ["朝阳"]
    finally:
        pinyin._readings.cache_clear()


def test_hapaxes_are_left_out_of_a_large_index(tmp_path, monkeypatch):
    source = fixtures.write_jsonl(tmp_path / "in.jsonl", fixtures.records(fixtures.articles(30)))
    index.update(tmp_path / "ix", [SEEDS, source])
    ix = Index(tmp_path / "ix")
    reader = ix.searcher().reader()
    small = entries(Lexicon(ix.searcher()), WORD)
    monkeypatch.setattr(lexicon, "HAPAX_FROM", 10)
    large = entries(Lexicon(ix.searcher()), WORD)
    names = {n for n, _, _ in lexicon.gazetteer_names()} | {n for n, _ in lexicon.dictionary_names()}
    assert large == {w: n for w, n in small.items() if n >= 2 or w in names}  # names are kept
    assert any(n == 1 and w not in names for w, n in small.items())
    assert all(reader.doc_frequency("words", w) == n for w, n in large.items())


def test_headline_phrases_stop_at_punctuation():
    assert lexicon_segment.headline_phrases("凌源经济开发区：装备制造") == [
        "凌源经济",
        "经济开发区",
        "凌源经济开发区",
        "装备制造",
    ]
    assert lexicon_segment.headline_phrases("5G基站建设") == ["基站建设"]
