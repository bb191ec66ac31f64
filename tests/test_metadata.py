"""Zones, years and industries extracted from the seeds and from articles written for these tests."""

import datetime

import pytest

from conftest import SEEDS
from indexer import metadata
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
EXPECTED_YEARS = {"000_2a1c0b8050bb07fb": 2020, "001_f7b6dd57e2bee65a": 2023, "002_08bfd12c8fa669a1": 2022,
                  "003_201a132a17332222": 2025, "004_6898f3103771f9f9": 2020}


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


def test_seed_industries():
    def industries(doc_id):
        return metadata.extract(SEED_ARTICLES[doc_id]).industries

    assert {"有色金属", "新材料", "装备制造"} <= set(industries("000_2a1c0b8050bb07fb"))
    assert "半导体与电子信息" in industries("003_201a132a17332222")
    assert "文化旅游" in industries("004_6898f3103771f9f9")


LIAONING = ("辽宁省经济运行平稳。沈阳、大连两市工业增加值增长较快，全省固定资产投资稳步回升。"
            "省统计局表示，下半年将继续推动重点项目建设。")


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
    body = ("喀喇沁左翼蒙古族自治县今年上半年地区生产总值同比增长百分之六。"
            "全县工业增加值稳步提升，喀喇沁左翼蒙古族自治县的招商引资成效明显。")
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


@pytest.mark.parametrize("typed, zone", [("凌源", "凌源经济开发区"), ("喀左", "喀左经济开发区"),
                                          ("凌源经济开发区", "凌源经济开发区"), ("朝陽高新區", "朝阳高新技术产业开发区"),
                                          ("上海", None)])
def test_resolve_zone(typed, zone):
    assert metadata.resolve_zone(typed) == zone
