"""Company and project names: the seeds' names, the rules' examples on sentences of the kind they come from,
generated names inside real sentence frames, the facet in an index of the seeds, and --explain."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from fixtures import SEEDS
from indexer import metadata
from indexer.articles import Article, read_articles
from indexer.cli import cli
from indexer.companies import display, extract_companies
from indexer.company_words import rules
from indexer.mentions import prepare
from indexer.query import Filters
from indexer.search import search

SEED_ARTICLES = {a.id: a for a in read_articles([SEEDS])}

# Every name extracted from the seeds, judged by hand (all right); what they also name but is not found is
# listed in README "Company and project names".
SEED_NAMES = {
    "000_2a1c0b8050bb07fb": [
        "华锐新材料",
        "辽宁华锐海绵铝项目",
        "源东方",
        "航天阳光",
        "北鑫金属",
        "恒杰新材",
        "帅杨木业",
        "联强轧辊",
        "亿联盛",
        "辽宁亿联盛新材料有限公司",
        "盛鑫冶金",
        "朝阳盛鑫冶金轧辊有限公司",
        "华祥新材料",
        "华祥新材料项目",
        "华锐新材料海绵铝项目",
        "众源科技",
        "众源科技钒钛磁铁矿高效分离加工项目",
        "百盛铝业",
        "尤尼斯",
        "鑫巨龙",
        "鑫巨龙数控机床生产项目",
        "辽宁华锐新材料有限公司",
        "东大矿冶研究院",
        "朝阳盛鑫冶金轧辊项目",
    ],
    "001_f7b6dd57e2bee65a": [
        "凌源经开发展投资集团有限公司",
        "凌发投",
        "凌发投集团",
        "中玻",
        "中玻（朝阳）新材料有限公司",
        "凌钢集团",
        "航天凌河",
        "炜盛玻纤",
        "凌源日兴矿业有限公司",
        "凌源市渤丰现代农业示范园有限公司",
        "法马",
        "法马（辽宁）智能设备有限公司",
        "鞍凌",
        "凌钢集团钢焦一体及配套设施项目",
        "凌源智能制造产业园项目",
        "宏钢集团",
        "宏钢集团中水回用处理项目",
        "腾钢机械",
        "腾钢机械制造有限责任公司",
        "辽宁炜盛新型复合材料有限公司",
        "辽宁航天凌河汽车有限公司",
    ],
    "002_08bfd12c8fa669a1": [
        "通鑫",
        "华兴万达",
        "宏发食品",
        "宏晟",
        "高登赛",
        "新天热能",
        "超润",
        "正野精工",
        "施可丰",
        "宏源",
        "辽宁宏源混合集团公司",
        "一诺环保",
        "路源交通",
        "晶科",
        "铸诚",
        "一诺农村污水处理设备项目",
        "辽宁通鑫实业有限公司",
        "亿坤",
        "金泉泵业",
        "北票市宏发食品有限公司",
    ],
    "003_201a132a17332222": [
        "黑猫",
        "宏发食品",
        "宏发公司",
        "一诺环保",
        "凌钢集团",
        "通美晶体",
        "金达集团",
        "新都黄金",
        "鞍钢",
        "浪马轮胎",
        "中能建",
        "华润雪花",
        "大有荃吉康",
        "大有荃吉康植物基胶囊项目",
        "通鑫",
        "辽宁通鑫实业有限公司",
        "施可丰",
        "极目机器人",
        "华兴万达",
        "中钢研",
        "菲哲石油",
        "晋慧智能",
        "华盛泵业",
        "飞马车辆",
        "朝阳飞马车辆设备股份公司",
        "大川精工",
        "科勒迪",
        "北票宏发肉鸡加工项目",
        "辽宁通鑫冶金固废项目",
        "拓比拓",
        "建平拓比拓牧业精控饲料加工项目",
    ],
    "004_6898f3103771f9f9": [
        "炜盛玻纤",
        "辽宁炜盛新型复合材料有限公司",
        "旭阳集团",
        "航天凌河",
        "致远物流港",
        "三沃环保科技有限公司",
    ],
}


@pytest.mark.parametrize("doc_id", sorted(SEED_NAMES))
def test_seed_companies_and_projects(doc_id):
    meta = metadata.extract(SEED_ARTICLES[doc_id])
    assert meta.companies == SEED_NAMES[doc_id]
    assert meta.company_source == "extracted"
    assert all(meta.company_evidence[name] for name in meta.companies)


def names(body: str, about_zone: bool = False) -> list[str]:
    return extract_companies(prepare(""), prepare(body), about_zone).names


@pytest.mark.parametrize(
    "body, name",
    [
        # the clause before a name is not part of it
        ("总投资10亿元的华祥新材料项目开工建设。", "华祥新材料项目"),
        ("年生产1万吨高速钢轧辊的辽宁亿联盛新材料有限公司落户开发区。", "辽宁亿联盛新材料有限公司"),
        ("继亿联盛新材料有限公司落户之后，又有企业签约。", "亿联盛新材料有限公司"),
        ("推动凌源日兴矿业有限公司等企业建立产学研联盟。", "凌源日兴矿业有限公司"),
        ("董事长陈忠岳任中国船舶集团有限公司总经理。", "中国船舶集团有限公司"),
        # quantities and phases are left out of a project's name, so one project has one name
        ("总投资2亿元的华锐新材料年产5000吨海绵铝项目开工。", "华锐新材料海绵铝项目"),
        ("辽宁华锐一期海绵铝项目已投产。", "辽宁华锐海绵铝项目"),
        # a bracketed place is part of a name, and brackets have one form
        ("中玻(朝阳)新材料有限公司的数字化车间。", "中玻（朝阳）新材料有限公司"),
        # a legal form after a place and what the company does
        ("中国石油化工集团有限公司发布公告。", "中国石油化工集团有限公司"),
        # traditional script: the simplified display form
        ("遼寧通鑫實業有限公司數字工廠。", "辽宁通鑫实业有限公司"),
    ],
)
def test_names_found_whole_and_alone(body, name):
    assert name in names(body)
    assert all(not other.endswith(name) or other == name for other in names(body))


def test_a_project_named_after_a_place_only_in_an_article_about_a_zone():
    body = "投资6.2亿元的凌源智能制造产业园（一期）建设项目，已开工建设。"
    assert names(body, about_zone=True) == ["凌源智能制造产业园项目"]
    assert names(body) == []


@pytest.mark.parametrize(
    "phrase",
    [
        "该项目",
        "重点项目",
        "这个公司",
        "子公司",
        "分公司",
        "上市公司",
        "科技公司",
        "美国公司",
        "保险公司",
        "该公司",
        "一家新能源科技有限公司",
        "二十国集团",
        "电诈犯罪集团",
        "增持股份",
        "一批大项目",
        "金某公司",
        "国有企业",
        "有关部门",
        "炼油厂",
        "男篮项目",
        "印尼合作项目",
    ],
)
def test_generic_phrases_are_no_names(phrase):
    for frame in ("据了解，{}近日表示将加大投入。", "他说{}的情况很好。", "{}总投资3亿元，年内开工。"):
        assert names(frame.format(phrase)) == [], frame.format(phrase)


def test_rejected_candidates_say_why():
    found = extract_companies(prepare(""), prepare("该公司是一家科技有限公司，与美国公司合作。"))
    assert found.names == []
    reasons = dict(found.rejected)
    assert reasons["该公司"] == "not a name: 该 before 公司"
    assert reasons["科技有限公司"].startswith("common words before 有限公司")
    assert reasons["美国公司"].startswith("a place before 公司")


def test_dictionary_names_hold_outside_the_zones_only_about_business():
    # 尤尼斯 is a company of the seeds and a town in Gaza
    assert names("以军空袭汗尤尼斯。") == []
    assert names("尤尼斯智能制造项目签约落地，投资1.5亿元。") == ["尤尼斯", "尤尼斯智能制造项目"]
    # short names are other companies' elsewhere (申万宏源), but Chaoyang's in an article about a zone
    assert names("申万宏源证券的业绩。") == []
    assert "宏源" in names("宏源公司投资建设新厂房。", about_zone=True)
    assert "宏源" not in names("宏源公司投资建设新厂房。")


def test_display_form():
    assert display("中玻(朝陽)新材料有限公司") == "中玻（朝阳）新材料有限公司"
    assert "," not in display("凌钢,集团") and " " not in display("凌钢 集团")


# Generated names: a brand of characters jieba's dictionary does not join into words (so its HMM makes the
# brand a word of its own, as with most brand names), a place or none, what the company does, a suffix.
BRAND_CHARS = "鑫炜晟锐琨昊骐瀚钜沣鹏璟"
PLACES = ["", "辽宁", "朝阳", "凌源市", "北京", "喀左"]
TRADES = ["", "新材料", "科技", "机械制造", "食品", "冶金", "汽车零部件", "矿业", "环保科技"]
# Real sentence frames: the clause before the name ends in each kind of stop (的, a verb, a preposition, a
# comma, a conjunction, a measure word), and the name is followed by the rest of the sentence.
FRAMES = [
    "总投资10亿元的{}开工建设，项目投产后年产值可达6亿元。",
    "年产5000吨高速钢轧辊的{}落户开发区。",
    "开发区今年引进了{}，计划总投资3亿元。",
    "推动{}等企业建立产学研联盟，投资2亿元。",
    "在{}，工人们正忙着生产。",
    "据悉，{}已经签约落地，投资1.5亿元。",
    "与{}签订合作协议，投资5亿元。",
    "一家名为{}的企业去年投产。",
]


@st.composite
def generated_names(draw) -> tuple[str, str]:
    brand = "".join(draw(st.lists(st.sampled_from(BRAND_CHARS), min_size=2, max_size=3, unique=True)))
    place = draw(st.sampled_from(PLACES))
    suffix = draw(st.sampled_from(sorted(rules().kinds)))
    trade = draw(st.sampled_from(TRADES))
    frames = FRAMES
    if suffix == "项目":
        # a project not named after a company the article names: after a place and a proper name, in a
        # sentence about investment
        place = place or "辽宁"
        frames = [f for f in FRAMES if any(word in f for word in rules().words["project_context"])]
    if suffix == "股份":
        trade = ""  # a listed company's short name: the brand right before 股份
    return place + brand + trade + suffix, draw(st.sampled_from(frames))


@settings(max_examples=300, deadline=None)
@given(generated_names())
def test_generated_names_are_found_whole_and_never_with_the_clause_before(case):
    name, frame = case
    sentence = frame.format(name)
    found = names(sentence)
    assert name in found, (sentence, found)
    before = frame[: frame.index("{}")]
    assert not any(before[-2:] in other for other in found), (sentence, found)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(rules().words["stop_words"] | rules().words["generic"])),
    st.sampled_from(sorted(rules().kinds)),
    st.sampled_from(FRAMES),
)
def test_stop_and_generic_words_alone_before_a_suffix_are_never_a_name(word, suffix, frame):
    sentence = frame.format(word + suffix)
    assert not any(found.endswith(word + suffix) for found in names(sentence)), sentence


def test_company_given_with_a_json_line_wins(tmp_path):
    path = tmp_path / "news.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "a",
                "title": "签约",
                "body": "辽宁华锐新材料有限公司签约。",
                "company": ["凌钢集团", "炜盛(朝阳)玻纤"],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    article = next(a for a in read_articles([path]) if isinstance(a, Article))
    meta = metadata.extract(article)
    assert meta.companies == ["凌钢集团", "炜盛（朝阳）玻纤"]
    assert meta.company_source == "given with the article"


def test_the_company_facet_finds_its_articles(seed_index):
    expected = sorted(doc_id for doc_id, found in SEED_NAMES.items() if "凌钢集团" in found)
    assert expected == ["001_f7b6dd57e2bee65a", "003_201a132a17332222"]
    results = search(seed_index, "company:凌钢集团")
    assert sorted(hit.article.id for hit in results.hits) == expected
    assert all("凌钢集团" in hit.article.companies for hit in results.hits)
    results = search(seed_index, "", Filters.of(company=["凌钢集团"]))
    assert results.total == 2
    counts = {f.value: f.count for f in results.facets["company"]}
    assert counts["凌钢集团"] == 2


def test_explain_shows_companies_with_evidence(runner, seed_index_dir):
    result = runner.invoke(cli, ["--index-dir", str(seed_index_dir), "index", "--explain", "001_f7b6dd57e2bee65a"])
    assert result.exit_code == 0, result.output
    assert "Companies and projects: 凌源经开发展投资集团有限公司, 凌发投" in result.output
    assert "✓ 凌钢集团: dictionary ×5, 集团 ×3" in result.output
    assert "✗ 兆华智能终端制造项目: no company or place named in the project's name" in result.output
