"""The benchmark's own machinery: the worst-case runner and its time limits, the scaling input, the load
test's worst-case requests and the baseline's browsing and paging. Nothing here is timed."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest
from hypothesis import given, settings, strategies as st

from fixtures import articles, write_articles
from indexer import index

REPO = pathlib.Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the benchmarks are scripts beside the package, not installed
    sys.path.insert(0, str(REPO))

from benchmarks import queries, scale, worst  # noqa: E402

COMMON = "的年在是人中"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[pathlib.Path, dict[str, str]]:
    """An index of 40 articles cut from the seeds' paragraphs, and their texts."""
    texts = articles(40)
    folder = write_articles(tmp_path_factory.mktemp("articles"), texts)
    ix = tmp_path_factory.mktemp("index")
    report = index.update(ix, [folder])
    assert len(report.added) == 40, report.summary()
    return ix, texts


def test_the_worst_cases_are_the_issues_list():
    labels = [case["label"] for case in queries.WORST_CASES]
    assert len(labels) == len(set(labels))
    assert [case["q"] for case in queries.WORST_CASES[:6]] == list(COMMON)
    assert len(queries.HEADLINE) == 30 and all("\u4e00" <= c <= "\u9fff" for c in queries.HEADLINE)
    assert queries.WORST_CASES[10]["q"].count(" OR ") == 9
    assert set(queries.WORST_QUICK) <= set(labels)
    assert [case["label"] for case in worst.select(queries.WORST_QUICK)] == [
        label for label in labels if label in queries.WORST_QUICK
    ]
    with pytest.raises(ValueError, match="unknown worst cases"):
        worst.select(["no such case"])


@pytest.mark.slow
def test_every_worst_case_runs_and_counts_exactly(generated):
    ix, texts = generated
    results = worst.run_cases("ours", ix, worst.select(), repeats=2, limit_s=60)
    by_label = {r["label"]: r for r in results}
    assert all(r["status"] == "ok" and not r["partial"] and not r["total_varied"] for r in results), results
    assert all(1 <= r["runs"] <= 2 and r["median_ms"] <= r["max_ms"] for r in results)
    # A single character finds every article that contains it.
    for char in COMMON:
        assert by_label[f"common character {char}"]["total"] == sum(char in t for t in texts.values()), char
    assert by_label["browse everything (landing page)"]["total"] == 40
    assert by_label["browse everything (landing page)"]["hits"] == 10
    # 40 articles hold no page 1000: the total, and no hits.
    assert by_label["page 1000 of a common word"]["hits"] == 0
    assert by_label["page 1000 of a common word"]["total"] == by_label["quoted common phrase"]["total"]


@pytest.mark.slow
def test_a_case_past_its_limit_is_stopped_and_the_rest_still_run(generated):
    ix, _ = generated
    cases = worst.select(["common character 的", "two common words", "browse one year"])
    results = worst.run_cases("ours", ix, cases, repeats=1, limit_s=0)
    # A limit of 0 s stops each case as it starts, in a new child each time.
    assert [r["status"] for r in results] == ["timeout"] * 3
    assert not any(r["met"] for r in results)
    summary = worst.summary(results)
    assert summary["met"] == 0 and summary["not_done"] == [c["label"] for c in cases]
    assert "> 0 s" in "\n".join(worst.markdown(results, None))


def test_a_spent_budget_skips_the_cases_left(generated):
    ix, _ = generated
    results = worst.run_cases("ours", ix, worst.select(queries.WORST_QUICK), repeats=1, budget_s=0)
    assert {r["status"] for r in results} == {"skipped"}


@given(base=st.integers(1, 100_000), n=st.integers(1, 200_000), times=st.integers(1, 8))
def test_sizes(base, n, times):
    assert scale.parse_sizes(f"{n}, all,{times}x,{n}", base) == list(dict.fromkeys([n, base, times * base]))


def test_a_size_below_one_article_is_refused():
    with pytest.raises(ValueError, match="a size must be at least 1 article"):
        scale.parse_sizes("0", 10)


@settings(max_examples=25, deadline=None)
@given(records=st.integers(1, 6), base=st.integers(1, 6), size=st.integers(1, 30))
def test_synthetic_slices_repeat_the_base_with_distinct_ids(tmp_path_factory, records, base, size):
    folder = tmp_path_factory.mktemp("slice")
    texts = articles(records)
    corpus = folder / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": k, "title": k, "body": v}, ensure_ascii=False) + "\n\n" for k, v in texts.items()),
        encoding="utf-8",
    )
    base = min(base, records)
    out = folder / "slice.jsonl"
    info = scale.write_slice(corpus, base, size, out)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert info["records"] == len(written) == size
    assert info["repeats"] == -(-size // base)
    assert len({r["id"] for r in written}) == size
    originals = list(texts.items())[:base]
    for i, record in enumerate(written):
        doc_id, body = originals[i % base]
        assert record["id"] == (doc_id if i < base else f"{doc_id}-r{i // base}")
        assert record["body"] == body


def test_the_load_tests_worst_requests_are_pages_that_answer(generated):
    pytest.importorskip("psutil")
    from benchmarks import load
    from web import create_app

    ix, _ = generated
    client = create_app({"INDEX_DIR": str(ix)}).test_client()
    paths = [load.worst_path(case) for case in queries.WORST_CASES]
    assert "/" in paths and "/?q=%E4%B8%AD%E5%9B%BD&page=1000" in paths
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_the_baseline_browses_newest_year_first_and_pages(tmp_path):
    pytest.importorskip("psutil")
    from whoosh import index as whoosh_index
    from whoosh.qparser import AndGroup, MultifieldParser

    from benchmarks import naive

    texts = articles(25)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"id": k, "title": k, "body": v, "date": f"{2010 + i % 7}-01-01"}, ensure_ascii=False) + "\n"
            for i, (k, v) in enumerate(texts.items())
        ),
        encoding="utf-8",
    )
    naive.build(corpus, 25, tmp_path / "ix")
    ix = whoosh_index.open_dir(str(tmp_path / "ix"))
    with ix.searcher() as searcher:
        parser = MultifieldParser(list(naive.SEARCH_FIELDS), ix.schema, group=AndGroup)
        _, results, counts = naive.run_one(searcher, parser, {"q": ""}, highlights=True, facets=True)
        years = [hit["year"] for hit in results[:10]]
        assert len(results) == 25 and years == sorted(years, reverse=True) and years[0] == "2016"
        assert sum(counts["year"].values()) == 25
        _, results, _ = naive.run_one(searcher, parser, {"q": "", "page": 3}, highlights=True, facets=True)
        assert len(results[20:30]) == 5
        _, results, _ = naive.run_one(searcher, parser, {"q": "", "year": "2012"}, highlights=True, facets=True)
        assert len(results) == sum(1 for i in range(25) if 2010 + i % 7 == 2012)
