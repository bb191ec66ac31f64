"""The benchmark's query set: realistic searches over a general Chinese news corpus (simplified script).

Each entry is either a plain query string or a dict ``{"q": ..., "zone": ..., "year": ...}`` whose
zone/year (either may be absent) narrow the search. The mix is deliberate, so that one latency
distribution covers the cases an engine handles differently:

- single words, from very common (中国, 发展) to rare (量子计算, 区块链);
- multi-word AND queries (space-separated, as users type them);
- quoted phrases ("一带一路"): with jieba's ChineseAnalyzer in plain Whoosh these are known to match
  little or nothing, which is why the benchmark records hit counts next to latencies;
- a rare term that may match nothing at all (喀左): the empty-result path;
- about ten filtered queries. The zone names are those of the Chaoyang development zones; the naive
  baseline has no metadata extraction and assigns them by a hash of the id (see ``naive.ZONES``).
  Years follow the corpus: in its first 10k lines 2019 is almost only hupu sports, 2023/2025 mostly
  chinanews.com, 2016 Sohu and Nankai university news.
"""

from __future__ import annotations

QUERIES: list[str | dict[str, str]] = [
    # Single words: common news topics.
    "经济",
    "足球",
    "疫情",
    "人工智能",
    "新能源汽车",
    "篮球",
    "教育",
    "房价",
    "芯片",
    "乡村振兴",
    "改革开放",
    "冠军",
    "股市",
    "碳中和",
    # Very common terms (large posting lists: the slow end of the distribution).
    "中国",
    "发展",
    "工作",
    # Rare terms.
    "量子计算",
    "区块链",
    "喀左",
    "朝阳",
    "稀土",
    "无人驾驶",
    # Mixed script.
    "CBA 总决赛",
    "5G 基站",
    # Two- and three-word AND queries.
    "经济 增长",
    "中国 足球 联赛",
    "人工智能 芯片",
    "房地产 调控",
    "高校 毕业生 就业",
    "新冠 疫苗",
    "辽宁 篮球",
    "美国 关税",
    "科技 创新 企业",
    "脱贫 攻坚",
    # Quoted phrases.
    '"一带一路"',
    '"高质量发展"',
    '"人类命运共同体"',
    '"供给侧结构性改革"',
    '"粤港澳大湾区"',
    '"营商环境"',
    # Filtered by year and/or zone.
    {"q": "篮球", "year": "2019"},
    {"q": "疫情", "year": "2020"},
    {"q": "人工智能", "year": "2023"},
    {"q": "足球", "zone": "朝阳经开区"},
    {"q": "发展", "zone": "柳城经开区"},
    {"q": "新能源", "zone": "凌源经开区", "year": "2023"},
    {"q": "招商 引资", "zone": "朝阳高新区"},
    {"q": "改革", "zone": "北票经开区", "year": "2016"},
    {"q": '"高质量发展"', "year": "2023"},
    {"q": "经济 增长", "year": "2025"},
    {"q": "项目 建设", "zone": "喀左经开区"},
]

# A headline as a user would paste it: 30 characters, written for this benchmark (typical of the corpus's
# general news, copied from none of it). jieba cuts it into 17 words, every one of them common.
HEADLINE = "国家发展改革委部署新一轮稳就业促消费举措推动经济持续回升向好"
# Ten common words joined by OR: the union of ten long posting lists.
TEN_WORDS = ["经济", "发展", "企业", "项目", "建设", "教育", "足球", "疫情", "科技", "市场"]

# The worst case: the inputs whose cost grows with the archive (issue 16), reported apart from the typical
# set above. Each is a dict: "label" (for the report), "q" (may be empty), and optionally "year" (a filter),
# "page" (10 hits a page; the engine answers pages up to 1000) and "browse" (no words and no filter: every
# article, newest first, as the landing page lists them).
WORST_CASES: list[dict] = [
    *({"label": f"common character {c}", "q": c} for c in "的年在是人中"),
    {"label": "common characters as words", "q": "中 国 人 民"},
    {"label": "two common characters as words", "q": "的 是"},
    {"label": "two common words", "q": "中国 发展"},
    {"label": "pasted 30-character headline", "q": HEADLINE},
    {"label": "OR of ten words", "q": " OR ".join(TEN_WORDS)},
    {"label": "quoted common phrase", "q": '"中国"'},
    {"label": "page 1000 of a common word", "q": "中国", "page": 1000},
    {"label": "browse everything (landing page)", "q": "", "browse": True},
    # 2023 has the most articles of any year in the news corpus (about a fifth of them).
    {"label": "browse one year", "q": "", "year": "2023"},
]
# CI's smoke run (`run.py --quick`): one case of each kind of cost, so the path is checked but stays fast.
WORST_QUICK: list[str] = [
    "common character 的",
    "common characters as words",
    "pasted 30-character headline",
    "OR of ten words",
    "page 1000 of a common word",
    "browse everything (landing page)",
    "browse one year",
]
