"""Zones, years and industries extracted from the seeds and from articles written for these tests."""

import datetime

import pytest
from hypothesis import given, settings, strategies as st

from fixtures import SEEDS
from indexer import analysis, metadata
from indexer.articles import Article, read_articles

SEED_ARTICLES = {a.id: a for a in read_articles([SEEDS])}
CATALOG = metadata.load_catalog(SEEDS)

EXPECTED_ZONES = {
    "000_2a1c0b8050bb07fb": ["柳城经济开发区"],
    "001_f7b6dd57e2bee65a": ["凌源经济开发区"],
    "002_08bfd12c8fa669a1": ["北票经济开发区"],
    "003_201a132a17332222": metadata.zone_names(),
    "004_6898f3103771f9f9": ["凌源经济开发区"],
}
# The industries each seed had before names matched as words: the stricter rules must keep them all.
EXPECTED_INDUSTRIES = {
    "000_2a1c0b8050bb07fb": ["有色金属", "新材料", "装备制造"],
    "001_f7b6dd57e2bee65a": ["新材料", "钢铁冶金", "新能源", "汽车及零部件", "环保"],
    "002_08bfd12c8fa669a1": ["装备制造", "新能源", "农产品加工", "环保", "数字经济"],
    "003_201a132a17332222": [
        "新材料",
        "装备制造",
        "钢铁冶金",
        "汽车及零部件",
        "农产品加工",
        "半导体与电子信息",
        "环保",
    ],
    "004_6898f3103771f9f9": ["新材料", "农产品加工", "文化旅游"],
}
EXPECTED_YEARS = {
    "000_2a1c0b8050bb07fb": 2020,
    "001_f7b6dd57e2bee65a": 2023,
    "002_08bfd12c8fa669a1": 2022,
    "003_201a132a17332222": 2025,
    "004_6898f3103771f9f9": 2020,
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_ZONES))
def test_seed_zones(doc_id):
    assert metadata.extract(SEED_ARTICLES[doc_id]).zones == EXPECTED_ZONES[doc_id]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_YEARS))
def test_seed_years_come_from_the_catalog_with_evidence(doc_id):
    meta = metadata.extract(SEED_ARTICLES[doc_id], CATALOG.get(doc_id))
    assert meta.year == EXPECTED_YEARS[doc_id]
    assert meta.year_source.startswith("catalog: ") and len(meta.year_source) > 40


def test_year_inference_without_the_catalog():
    today = datetime.date(2026, 1, 1)
    # 000 reports the whole of 2019 and calls it 去年; 003 sums up 2024 while speaking of 今年.
    assert metadata.infer_year(SEED_ARTICLES["000_2a1c0b8050bb07fb"].body, today)[0] == 2020
    assert metadata.infer_year(SEED_ARTICLES["003_201a132a17332222"].body, today)[0] == 2025
    assert metadata.infer_year("计划到2035年建成。2018年项目开工。", today)[0] == 2018
    assert metadata.infer_year("2030年的规划。", today) == (None, "inferred: no year written in the text")
    assert metadata.infer_year("没有年份的文章。", today)[0] is None


def test_explicit_metadata_and_dates_win_over_inference():
    article = Article("x", "标题", "2019年的事。", year=2021)
    assert metadata.extract(article).year == 2021
    article = Article("x", "标题", "2019年的事。", date="2022-03-01")
    assert metadata.extract(article).year == 2022
    article = Article("x", "标题", "凌源经济开发区。" * 5, zones=["喀左"], industries=["新材料"])
    meta = metadata.extract(article)
    assert (meta.zones, meta.industries) == (["喀左经济开发区"], ["新材料"])


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_INDUSTRIES))
def test_seed_industries(doc_id):
    assert metadata.extract(SEED_ARTICLES[doc_id]).industries == EXPECTED_INDUSTRIES[doc_id]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_ZONES))
def test_precomputed_spans_give_the_same_metadata(doc_id):
    article = SEED_ARTICLES[doc_id]
    spans = (analysis.word_spans(analysis.clean(article.title)), analysis.word_spans(analysis.clean(article.body)))
    assert metadata.extract(article, spans=spans) == metadata.extract(article)
    with pytest.raises(ValueError, match="word_spans"):
        metadata.extract(article, spans=(spans[0], spans[0]))


LIAONING = (
    "辽宁省经济运行平稳。沈阳、大连两市工业增加值增长较快，全省固定资产投资稳步回升。"
    "省统计局表示，下半年将继续推动重点项目建设。"
)


def test_a_one_line_mention_does_not_tag_a_zone():
    body = LIAONING * 3 + "此外，建平经济开发区新签约一个项目。" + LIAONING
    assert metadata.extract(Article("t", "辽宁经济稳中向好", body)).zones == []


def test_an_article_mostly_about_one_zone_is_not_tagged_with_a_zone_it_mentions_once():
    body = "凌源经济开发区项目建设提速。凌源市委要求，凌源经开区要抓招商。" * 3 + "建平经济开发区也派人参观。"
    assert metadata.extract(Article("t", "凌源经济开发区项目建设提速", body)).zones == ["凌源经济开发区"]


def test_a_traditional_script_article_about_lingyuan():
    body = "凌源經濟開發區加快項目建設。凌源市委提出，開發區要優化營商環境。今年凌源經開區新簽約項目二十個。"
    meta = metadata.extract(Article("t", "凌源經濟開發區項目建設提速", body))
    assert meta.zones == ["凌源经济开发区"]


def test_an_article_naming_only_the_county_is_tagged_with_its_zone():
    body = (
        "喀喇沁左翼蒙古族自治县今年上半年地区生产总值同比增长百分之六。"
        "全县工业增加值稳步提升，喀喇沁左翼蒙古族自治县的招商引资成效明显。"
    )
    meta = metadata.extract(Article("t", "县域经济稳中有进", body))
    assert meta.zones == ["喀左经济开发区"]


def test_a_survey_of_several_zones_tags_each_named_zone():
    body = "北票经济开发区签约项目。建平经济开发区引进企业。喀左经济开发区发展半导体。朝阳高新区建设提速。"
    meta = metadata.extract(Article("t", "朝阳各开发区半年观察", body))
    assert meta.zones == ["北票经济开发区", "建平经济开发区", "喀左经济开发区", "朝阳高新技术产业开发区"]
    assert meta.zone_rule.startswith("survey")


def test_a_passing_industry_mention_is_not_a_subject():
    body = "凌源经济开发区招商引资。" * 5 + "附近也有一些旅游景点。"
    assert "文化旅游" not in metadata.extract(Article("t", "招商引资", body)).industries


def test_industries_in_traditional_script():
    body = "半導體產業園區建設加快。晶片項目投產，電子信息產業集聚。"
    assert "半导体与电子信息" in metadata.extract(Article("t", "半導體", body)).industries


@pytest.mark.parametrize(
    "typed, zone",
    [
        ("凌源", "凌源经济开发区"),
        ("喀左", "喀左经济开发区"),
        ("凌源经济开发区", "凌源经济开发区"),
        ("朝陽高新區", "朝阳高新技术产业开发区"),
        ("上海", None),
    ],
)
def test_resolve_zone(typed, zone):
    assert metadata.resolve_zone(typed) == zone


# ---------------------------------------------------------------------------------------------- names as words
# Sentences written for these tests: general news in which the zones' short names occur inside other words.


def _zone_tags(title: str, body: str) -> metadata.Metadata:
    return metadata.extract(Article("t", title, body))


def test_a_given_name_is_not_a_place():
    # 翁建平 (one person, cut 翁/建平 by jieba) and 徐建平 (one word) in an article that names Liaoning too
    body = (
        "全国政协委员翁建平是一名医生。翁建平说，辽宁等地的基层医院需要人才。今年两会，翁建平准备提出提案。"
        "国家发改委副主任徐建平介绍，中医药海外中心已建成三十个。徐建平表示，将继续推进合作。"
    )
    meta = _zone_tags("翁建平：推动优质资源下沉", body)
    assert meta.zones == [] and meta.zone_evidence == {}
    lines = "\n".join(metadata.explain_lines(meta))
    assert "✗ 建平: a person's name: after the surname 翁" in lines
    assert "✗ 徐建平: inside the word 徐建平" in lines or "✗ 建平: inside the word 徐建平" in lines


def test_a_place_name_across_a_word_boundary_is_not_a_mention():
    body = "福建平潭推出台胞医疗服务。平潭综合实验区在福建平潭岛上，福建平潭的医院为台胞建档。"
    meta = _zone_tags("福建平潭推出全流程台胞医疗服务", body)
    assert meta.zones == []
    assert ("建平", "across the words 福建/平潭 ×3") in meta.rejected
    assert any(name == "建平" and why.startswith("across the words 福建/平潭岛") for name, why in meta.rejected)


def test_standardisation_work_is_not_the_chemical_industry():
    body = "市场监管局部署标准化工作。会议要求，各地要把标准化工作抓实抓细，推进标准化工作数字化转型。" * 2
    meta = _zone_tags("扎实推进标准化工作", body)
    assert "化工" not in meta.industry_evidence
    assert any(
        name == "化工" and why.startswith("across the words 标准化/工作") for name, why in meta.industry_rejected
    )


def test_a_short_place_name_needs_corroboration():
    body = "凌源今年雨水多。凌源的农民忙着抢收。" * 2
    meta = _zone_tags("秋收", body)
    assert meta.zones == []
    assert meta.rejected[0][1].startswith("a short name without corroboration")
    # the same text in an article that names the county in full is about it (if it is about its industry)
    body += "凌源市工业项目签约落户，企业投资增长。凌源市开发区招商引资成效明显。"
    assert _zone_tags("秋收", body).zones == ["凌源经济开发区"]


def test_a_county_named_without_its_industry_is_not_its_zone():
    body = "辽宁省朝阳县十家子村的电商直播忙着卖年货。朝阳县的村民说，日子越过越好。朝阳县冬天很冷。"
    meta = _zone_tags("乡村新农人", body)
    assert meta.zones == []
    assert meta.rejected[-1] == (
        "朝阳县",
        "a place, and the article is not about its industry: 0 of 3 context words (none) ×3",
    )


SURNAMES = [s for s in metadata.gazetteer()[0]["surnames"] if len(s) == 1]
SHORT_PLACES = [name for zone in metadata.gazetteer()[1] for name in zone.short_places]
ROLES = ["书记", "校长", "委员", "教授", "局长", "代表", "记者", "副主任", "总设计师", "会长"]
SAYS = ["表示", "说", "指出", "介绍", "透露", "出席会议", "认为"]
# Words that hold a short place name across a word boundary, and sentences to carry them.
ACROSS = ["福建平潭", "搭建平台", "构建平安", "创建平安", "搭建平台和"]
FILLER = [
    "辽宁省经济运行平稳",
    "沈阳、大连两市工业增加值增长较快",
    "会议在北京召开",
    "与会代表进行了交流",
    "记者从朝阳市了解到",
    "各地加快推进项目建设",
]


@st.composite
def general_news(draw) -> str:
    """Sentences in which zone short names occur only inside people's names and other words."""
    parts = []
    for _ in range(draw(st.integers(2, 8))):
        kind = draw(st.sampled_from(["person", "across", "filler"]))
        if kind == "person":
            name = draw(st.sampled_from(SURNAMES)) + draw(st.sampled_from(SHORT_PLACES))
            parts.append(draw(st.sampled_from(ROLES)) + name + draw(st.sampled_from(SAYS)))
        elif kind == "across":
            parts.append("在" + draw(st.sampled_from(ACROSS)) + "举行活动")
        else:
            parts.append(draw(st.sampled_from(FILLER)))
    return "。".join(parts) + "。"


@settings(max_examples=200, deadline=None)
@given(general_news(), st.sampled_from(metadata.gazetteer()[1]))
def test_short_names_inside_names_and_words_never_tag_a_zone(body, zone):
    meta = _zone_tags("新闻", body)
    assert meta.zones == []
    assert not set(SHORT_PLACES) & {name for hits in meta.zone_evidence.values() for name in hits}
    # a real mention, the zone's full name twice, tags that zone and only it
    meta = _zone_tags("新闻", body + f"{zone.name}新签约项目五个。{zone.name}加快建设。")
    assert meta.zones == [zone.name]
    assert set(meta.zone_evidence[zone.name]) == {zone.name}


# Words ending in 化 followed by words starting with 工: 化工 across the boundary.
ENDS_IN_HUA = ["标准化", "文化", "优化", "深化", "细化", "亮化", "绿化", "强化", "规范化", "现代化"]
STARTS_WITH_GONG = ["工作", "工程", "工人", "工业", "工作者", "工具"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ENDS_IN_HUA), st.sampled_from(STARTS_WITH_GONG)), min_size=3, max_size=8))
def test_chemical_industry_is_never_read_across_words(pairs):
    body = "。".join(f"各单位要{a}{b}" for a, b in pairs) + "。"
    meta = _zone_tags("推进" + "".join(pairs[0]), body)
    assert "化工" not in meta.industries and "化工" not in meta.industry_evidence


def test_a_car_crash_is_not_the_car_industry():
    body = (
        "一辆汽车与货车在高速公路上相撞，汽车司机受伤。交警赶到现场，事故车辆被拖离。"
        "警方提醒，驾驶汽车要注意安全，雨天行驶的车辆要减速。"
    )
    meta = _zone_tags("高速公路汽车相撞", body)
    assert "汽车及零部件" not in meta.industries
    assert ("汽车", "a generic word, no economy word in its sentence ×4") in meta.industry_rejected


def test_an_article_about_the_car_industry_is():
    body = (
        "今年上半年，我国汽车产量和销量均增长百分之九。汽车企业加快布局，新能源汽车出口增长较快。"
        "业内人士认为，汽车产业链供应链保持稳定，整车企业订单充足。"
    )
    assert "汽车及零部件" in _zone_tags("上半年汽车产销两旺", body).industries


def test_a_passing_industry_mention_in_general_news_is_not_its_subject():
    body = "国家统计局发布数据。" + "全国规模以上工业增加值同比增长，服务业生产指数稳步回升，市场销售有所改善。" * 30
    body += "其中，光伏、风电等新能源产业投资增长较快，新能源汽车产量增长。"
    meta = _zone_tags("国民经济运行稳中有进", body)
    assert "新能源" not in meta.industries
    assert any(name == "新能源" and why.startswith("not the article's subject") for name, why in meta.industry_rejected)
