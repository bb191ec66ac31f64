"""The search core on the seeds and on articles written for the tests: recall, scripts, phrases, ranking."""

import opencc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fixtures import SEEDS, write_articles
from indexer import analysis, index
from indexer.articles import read_articles
from indexer.errors import SearchError
from indexer.plan import Mark
from indexer.query import Filters
from indexer.search import Index, search
from indexer.snippets import snippet

ALL = 100


def ids(results):
    return [h.id for h in results.hits]


def test_a_word_finds_its_article_with_a_marked_snippet(seed_index):
    results = search(seed_index, "装备制造")
    assert "000_2a1c0b8050bb07fb" in ids(results)
    assert all(h.snippet.count(exact=True) for h in results.hits)


def test_a_rare_word_finds_only_its_article(seed_index):
    assert ids(search(seed_index, "海绵铝")) == ["000_2a1c0b8050bb07fb"]
    assert ids(search(seed_index, "亿联盛")) == ["000_2a1c0b8050bb07fb"]


def test_text_with_print_layout_spaces_is_found_whole(seed_index):
    # 001 prints "朝 阳市凌源经济开发区" with a stray space.
    assert "001_f7b6dd57e2bee65a" in ids(search(seed_index, '"朝阳市凌源经济开发区"'))


@pytest.mark.parametrize("q", ["智慧園區", "智慧园区"])
def test_either_script_finds_articles_in_either_script(seed_index, q):
    found = ids(search(seed_index, q, per_page=ALL))
    assert found[:2] == ["002_08bfd12c8fa669a1", "003_201a132a17332222"] or found[:2] == [
        "003_201a132a17332222",
        "002_08bfd12c8fa669a1",
    ]
    assert set(found) == set(ids(search(seed_index, '"智慧園區"' if q == "智慧园区" else "智慧园区", per_page=ALL))) | (
        set(found) - {"002_08bfd12c8fa669a1", "003_201a132a17332222"}
    )


@pytest.mark.parametrize(
    "simplified, traditional",
    [
        ("智慧园区", "智慧園區"),
        ("北票经济开发区", "北票經濟開發區"),
        ("数字经济", "數字經濟"),
        ("环保装备制造", "環保裝備製造"),
    ],
)
def test_a_query_and_its_twin_return_the_same_results(seed_index, simplified, traditional):
    for quote in ("", '"'):
        assert ids(search(seed_index, quote + simplified + quote, per_page=ALL)) == ids(
            search(seed_index, quote + traditional + quote, per_page=ALL)
        )


def test_snippets_show_each_article_in_its_own_script(seed_index):
    hit = next(h for h in search(seed_index, "智慧园区").hits if h.id.startswith("002"))
    assert "[智慧園區]" in hit.snippet.render(READABLE)


def test_a_single_character_finds_the_articles_containing_it(seed_index):
    for char, expected in [("鸭", {"002_08bfd12c8fa669a1"}), ("猫", {"003_201a132a17332222"})]:
        found = set(ids(search(seed_index, char, per_page=ALL)))
        texts = {
            a.id
            for a in read_articles([SEEDS])
            if char in analysis.fold(a.body) or analysis.fold(char) in analysis.fold(a.body)
        }
        assert found == texts == expected


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    """The seeds and articles written to test phrases and ranking."""
    folder = tmp_path_factory.mktemp("mixed")
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    write_articles(
        folder,
        {
            "apart": "装备与制造\n\n本地的装备很多。这里的工厂都在搞制造，但二者相隔甚远。",
            "title_hit": "海绵铝产业\n\n一篇短文。",
            "body_hit": "产业动态\n\n一篇提到海绵铝的短文，讲的是其他事情。",
            "many": "铝业动态\n\n海绵铝，海绵铝，又是海绵铝，还有海绵铝项目。",
            "scattered": "钢焦与一体\n\n钢焦的消息。另有一体化的消息。钢焦。",
        },
    )
    path = tmp_path_factory.mktemp("mixed-index")
    index.update(path, [folder])
    return Index(path)


def test_a_quoted_phrase_matches_only_that_exact_sequence(mixed_index):
    assert "000_2a1c0b8050bb07fb" in ids(search(mixed_index, '"装备制造"', per_page=ALL))
    assert "apart" not in ids(search(mixed_index, '"装备制造"', per_page=ALL))
    assert "apart" in ids(search(mixed_index, "装备 制造", per_page=ALL))


def test_ranking_title_above_body_and_more_matches_higher(mixed_index):
    found = ids(search(mixed_index, "海绵铝", per_page=ALL))
    assert found.index("title_hit") < found.index("body_hit")
    assert found.index("many") < found.index("body_hit")


def test_ranking_verbatim_above_scattered(mixed_index):
    found = ids(search(mixed_index, "凌钢集团钢焦一体", per_page=ALL))
    assert found[0] == "001_f7b6dd57e2bee65a"
    found = ids(search(mixed_index, "钢焦 一体", per_page=ALL))
    assert found.index("001_f7b6dd57e2bee65a") < found.index("scattered")


def test_or_and_exclusion(seed_index):
    assert set(ids(search(seed_index, "海绵铝 OR 通美晶体"))) == {"000_2a1c0b8050bb07fb", "003_201a132a17332222"}
    assert set(ids(search(seed_index, "开发区 -凌源", per_page=ALL))) == {
        "000_2a1c0b8050bb07fb",
        "002_08bfd12c8fa669a1",
    }


def test_filters_alone_browse_newest_first(seed_index):
    results = search(seed_index, "zone:凌源")
    assert ids(results) == ["003_201a132a17332222", "001_f7b6dd57e2bee65a", "004_6898f3103771f9f9"]
    assert [h.article.year for h in results.hits] == [2025, 2023, 2020]


def test_sort_by_date(seed_index):
    results = search(seed_index, "开发区", sort="date", per_page=ALL)
    years = [h.article.year for h in results.hits]
    assert years == sorted(years, reverse=True)


def test_pages(seed_index):
    first, second = search(seed_index, "开发区", per_page=2), search(seed_index, "开发区", per_page=2, page=2)
    assert first.total == second.total == 5 and first.pages == 3
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"query": ""}, "Type something to search for"),
        ({"query": "开发区", "page": 0}, "Page must be"),
        ({"query": "开发区", "per_page": 1000}, "per page must be"),
        ({"query": "开发区", "sort": "random"}, "Sort must be"),
        ({"query": "开发区 zone:上海"}, "Unknown zone “上海”. Zones: 柳城, 凌源"),
        ({"query": "industry:养猪"}, "Unknown industry “养猪”. Industries: 有色金属"),
    ],
)
def test_bad_requests_get_a_clear_message(seed_index, kwargs, message):
    with pytest.raises(SearchError, match=message):
        search(seed_index, **kwargs)


def test_empty_query_browses_everything_when_asked(seed_index):
    assert search(seed_index, "", browse_all=True).total == 5


# ---------------------------------------------------------------------------------------------- facets


def test_zone_filter_browse_and_disjunctive_counts(seed_index):
    results = search(seed_index, "", Filters.of(zone=["凌源经济开发区"]))
    assert results.total == 3
    zones = {v.value: (v.count, v.selected) for v in results.facets["zone"]}
    assert zones["凌源经济开发区"] == (3, True)
    # Other zones still show what selecting them too would add.
    assert zones["柳城经济开发区"] == (2, False) and zones["北票经济开发区"] == (2, False)
    years = {v.value: v.count for v in results.facets["year"]}
    assert years == {"2025": 1, "2023": 1, "2020": 1}


def test_values_within_a_facet_or_facets_and(seed_index):
    both = search(seed_index, "开发区", Filters.of(zone=["喀左经济开发区", "建平经济开发区"]))
    assert ids(both) == ["003_201a132a17332222"]
    results = search(seed_index, "", Filters.of(zone=["柳城经济开发区", "北票经济开发区"], year=[(2020, 2022)]))
    assert set(ids(results)) == {"000_2a1c0b8050bb07fb", "002_08bfd12c8fa669a1"}
    years = {v.value: v.count for v in results.facets["year"]}
    assert years == {"2025": 1, "2022": 1, "2020": 1}


def test_filters_that_leave_nothing_list_nothing(seed_index):
    results = search(seed_index, "凌钢", Filters.of(zone=["北票经济开发区"], year=[(2020, 2020)]))
    assert (results.total, results.hits) == (0, [])


def test_year_by_zone_counts_for_the_chart(seed_index):
    results = search(seed_index, "开发区", Filters.of(zone=["凌源经济开发区"], year=[(2025, 2025)]))
    assert results.year_zone["2025"]["凌源经济开发区"] == 1
    assert results.year_zone["2020"] == {"凌源经济开发区": 1}  # the year selection is ignored, like the facet
    assert "柳城经济开发区" in results.year_zone["2025"]


def test_industry_filter(seed_index):
    assert set(ids(search(seed_index, "industry:半导体与电子信息"))) == {"003_201a132a17332222"}


# ---------------------------------------------------------------------------------------------- snippets


def READABLE(text: str, exact: bool) -> str:
    return f"[{text}]" if exact else f"{{{text}}}"


def marked(text: str, *terms: str, partial: tuple[str, ...] = ()) -> str:
    return snippet(text, [Mark(t) for t in terms] + [Mark(t, exact=False) for t in partial]).render(READABLE)


def test_snippet_marks_every_match_and_cuts_at_chinese_punctuation():
    text = "开头一句话。" * 20 + "这里有海绵铝项目，海绵铝已投产。" + "结尾的话。" * 20
    out = marked(text, "海绵铝")
    assert out.startswith("…这里有[海绵铝]项目，[海绵铝]已投产。结尾的话。") and out.endswith("结尾的话。")
    assert len(out) <= 160 + 2 + 4


def test_snippet_uses_two_fragments_for_distant_matches():
    text = "凌钢集团在这里。" + "无关的句子。" * 40 + "通美晶体在那里。" + "无关的句子。" * 40
    out = marked(text, "凌钢", "通美晶体")
    assert "[凌钢]" in out and "[通美晶体]" in out and out.count("…") >= 2


def test_snippet_text_is_escaped_by_the_renderer():
    import html

    out = snippet("<b>凌钢</b>&", [Mark("凌钢")]).render(lambda t, e: f"<mark>{html.escape(t)}</mark>", html.escape)
    assert out == "&lt;b&gt;<mark>凌钢</mark>&lt;/b&gt;&amp;"


def test_snippet_marks_traditional_text_for_a_simplified_term():
    assert marked("朝陽北票經濟開發區。", "北票经济开发区") == "朝陽[北票經濟開發區]。"


def test_exact_matches_span_left_out_punctuation_and_partial_words_are_marked_apart():
    assert marked("她首登《Nature》封面。", "首登Nature") == "她[首登《Nature]》封面。"
    assert (
        marked("装备很多，制造也多。装备制造业。", "装备制造", partial=("装备", "制造"))
        == "{装备}很多，{制造}也多。[装备制造]业。"
    )


def test_paragraph_breaks_are_kept_in_snippets():
    text = "凌钢贡献“最大增量”\n本报讯记者崔毅张辉报道\n7月5日，凌钢集团开工。"
    out = snippet(text, [Mark("凌钢")]).render(READABLE, paragraph=" | ")
    assert out == "[凌钢]贡献“最大增量” | 本报讯记者崔毅张辉报道 | 7月5日，[凌钢]集团开工。"


# ---------------------------------------------------------------------------------------------- properties

SEED_TEXTS = {a.id: analysis.clean(a.body) for a in read_articles([SEEDS])}
S2T, T2S = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")


@st.composite
def runs(draw):
    """A 2–8 character run of Chinese characters taken from a seed article, and that article's id."""
    doc_id = draw(st.sampled_from(sorted(SEED_TEXTS)))
    spans = [m.group() for m in analysis.HAN_RUN.finditer(SEED_TEXTS[doc_id]) if len(m.group()) >= 2]
    span = draw(st.sampled_from(spans))
    size = draw(st.integers(2, min(8, len(span))))
    start = draw(st.integers(0, len(span) - size))
    return doc_id, span[start : start + size]


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(runs())
def test_any_run_of_an_article_finds_it(seed_index, sample):
    doc_id, run = sample
    assert doc_id in ids(search(seed_index, run, per_page=ALL))
    assert doc_id in ids(search(seed_index, f'"{run}"', per_page=ALL))


@PROPERTY
@given(runs())
def test_a_run_in_the_other_script_returns_the_same_ids(seed_index, sample):
    _, run = sample
    twin = T2S.convert(run) if S2T.convert(run) == run else S2T.convert(run)
    for quote in ("", '"'):
        assert sorted(ids(search(seed_index, quote + run + quote, per_page=ALL))) == sorted(
            ids(search(seed_index, quote + twin + quote, per_page=ALL))
        )


@PROPERTY
@given(runs())
def test_a_quoted_run_returns_only_articles_containing_it(seed_index, sample):
    _, run = sample
    # Contained in the stream: the spaces and punctuation clean-up leaves out may stand between its characters.
    expected = {i for i, text in SEED_TEXTS.items() if analysis.stream(run) in analysis.stream(text)}
    # Headlines are indexed too, and they are part of each seed's text.
    assert set(ids(search(seed_index, f'"{run}"', per_page=ALL))) == expected


# ---------------------------------------------------------------------------------------------- time budget


def test_a_slow_search_answers_in_its_budget_with_what_it_found(seed_index, monkeypatch):
    """Every posting list read here takes 50 ms: a search of many words runs out of its 0.2 s budget, and
    answers at once, marked partial, instead of reading them all."""
    import time

    from indexer import codec

    read = codec.Postings.read.__func__

    def slowly(cls, *args, **kwargs):
        time.sleep(0.05)
        return read(cls, *args, **kwargs)

    monkeypatch.setattr(codec.Postings, "read", classmethod(slowly))
    assert seed_index.postings is not None
    seed_index.postings.clear()  # lists kept from earlier searches would not be read at all
    started = time.perf_counter()
    results = search(seed_index, "凌钢 装备 制造 开发区 企业 项目 园区 朝阳 经济 发展", budget=0.2)
    assert results.timed_out and time.perf_counter() - started < 1.0
    assert not search(seed_index, "凌钢", budget=None).timed_out


# ---------------------------------------------------------------------------------------------- regional forms


@pytest.fixture(scope="module")
def regional_index(tmp_path_factory):
    folder = write_articles(
        tmp_path_factory.mktemp("regional"),
        {
            "mainland": "新闻\n\n这家公司开发的软件和信息安全产品。",
            "taiwan": "新聞\n\n這家公司開發的軟體與資訊安全產品。",
            "other": "新闻\n\n无关的文字。",
        },
    )
    path = tmp_path_factory.mktemp("regional-index")
    index.update(path, [folder])
    return Index(path)


@pytest.mark.parametrize(
    "q, other", [("软件", "軟體"), ("軟體", "软件"), ("信息安全", "資訊安全"), ("资讯安全", "信息安全")]
)
def test_a_word_finds_its_other_regional_forms_and_says_so(regional_index, q, other):
    results = search(regional_index, q)
    assert set(ids(results)) == {"mainland", "taiwan"} and results.also == [other]
    marked = {h.id: h.snippet.render(READABLE) for h in results.hits}
    assert "[" in marked["mainland"] and "[" in marked["taiwan"]


def test_a_quoted_phrase_stays_exact(regional_index):
    results = search(regional_index, '"软件"')
    assert ids(results) == ["mainland"] and results.also == []


def test_work_that_spans_a_commit_keeps_its_searcher(tmp_path, monkeypatch):
    """An update committed while a request works (here: between finding related articles and reading them)
    does not close the files under it; the next request sees the new generation."""
    from indexer import execute

    texts = {"a": "凌钢集团新闻\n\n凌钢集团扩建项目。", "b": "凌钢新闻\n\n凌钢集团产量。"}
    folder = write_articles(tmp_path / "in", texts)
    index.update(tmp_path / "ix", [folder])
    ix = Index(tmp_path / "ix")
    doc = ix.document("a")
    run = execute.run

    def run_then_commit(*args, **kwargs):
        found = run(*args, **kwargs)
        write_articles(folder, {"c": "凌钢集团\n\n又一篇凌钢集团的新闻。"})
        index.update(tmp_path / "ix", [folder])
        return found

    monkeypatch.setattr(execute, "run", run_then_commit)
    assert [a.id for a in ix.related(doc)] == ["b"]
    monkeypatch.setattr(execute, "run", run)
    assert ix.document("c") is not None
