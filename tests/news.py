"""Real-looking news written for the tests (never corpus text): long source URLs, long Latin words, dates in
the forms archives give (a day, a day and time, a month, a year alone, none), a headline and byline before the
lead, and a publisher's name instead of a URL. `write(folder)` writes them as one JSON Lines file."""

from __future__ import annotations

import json
import pathlib

LONG_URL = (
    "https://www.example-news.com.cn/difang/liaoning/chaoyang/2024/03/18/"
    "20240318A0B1C2D3E4F5G6H7I8J9K0L1M2N3O4P5Q6R7S8T9U0V1W2X3Y4Z5.shtml"
    "?from=timeline&isappinstalled=0&utm_source=wechat_session&utm_medium=social&utm_campaign=springnews"
)
LONG_WORD = "LithiumIronPhosphateBatteryModuleHighVoltageGeneration3ExtendedRange"

ARTICLES = [
    {
        "id": "news-ev",
        "date": "2024-03-18",
        "source": LONG_URL,
        "title": "凌源经济开发区新能源汽车零部件项目投产",
        "body": (
            "凌源经济开发区新能源汽车零部件项目投产\n"
            "本报记者 王明 李华 报道\n"
            "三月十八日，汽车零部件企业在凌源经济开发区举行投产仪式。这个新能源汽车项目总投资十二亿元，"
            f"主要生产{LONG_WORD}电池模组。\n"
            "项目负责人介绍，新能源汽车产业链正在向园区集聚，配套的汽车线束和电机项目也在洽谈之中。"
            f"更多信息见{LONG_URL}。\n"
            "开发区管委会表示，将继续优化营商环境，服务新能源汽车企业落地。"
        ),
    },
    {
        "id": "news-equip",
        "date": "2023-11-02 09:30",
        "source": "https://news.example.org/economy/2023-11-02/"
        "liucheng-equipment-manufacturing-cluster-expands-with-three-new-plants-and-a-training-centre.html",
        "title": "柳城经济开发区装备制造产业集群再添三家工厂",
        "body": (
            "柳城经济开发区装备制造产业集群再添三家工厂，带动就业八百余人。\n"
            "开发区负责人说，装备制造是园区的主导产业，今年以来新签约项目九个。"
        ),
    },
    {
        "id": "news-year",
        "date": "2022",
        "source": "朝阳日报",
        "title": "喀左经济开发区文化旅游项目开工",
        "body": "喀左经济开发区文化旅游项目开工。项目以紫砂文化为主题，建设展示中心和研学基地。",
    },
    {
        "id": "news-month",
        "date": "2021-07",
        "source": "https://www.example.com.cn/a/b/c/d/e/f/g/h/i/j/k/0123456789012345678901234567890123456789.html",
        "title": "北票经济开发区新材料企业扩大产能",
        "body": "北票经济开发区新材料企业扩大产能，新建生产线两条。企业负责人表示，订单已排到年底。",
    },
    {
        "id": "news-undated",
        "title": "建平经济开发区农产品加工园区招商推介",
        "body": "建平经济开发区农产品加工园区举行招商推介会，杂粮深加工和饲料项目受到关注。",
    },
]


def write(folder: pathlib.Path) -> pathlib.Path:
    """The articles as `folder/news.jsonl`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "news.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8"
    )
    return folder
