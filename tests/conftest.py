"""Shared fixtures: indexes built under tmp_path from the seeds or from articles written by the tests."""

from __future__ import annotations

import pathlib

import pytest
from click.testing import CliRunner

from indexer import index
from indexer.search import Index

REPO = pathlib.Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory) -> pathlib.Path:
    """An index of the five seed articles, built once per test session."""
    path = tmp_path_factory.mktemp("seed-index")
    report = index.update(path, [SEEDS])
    assert len(report.added) == 5, report.summary()
    return path


@pytest.fixture(scope="session")
def seed_index(seed_index_dir) -> Index:
    return Index(seed_index_dir)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_articles(folder: pathlib.Path, articles: dict[str, str]) -> pathlib.Path:
    """Write `{id: text}` as .txt articles into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in articles.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def news_index_dir(tmp_path_factory) -> pathlib.Path:
    """An index of the real-looking news in `tests/news.py` (long URLs, every form of date)."""
    import news

    source = news.write(tmp_path_factory.mktemp("news"))
    path = tmp_path_factory.mktemp("news-index")
    report = index.update(path, [source])
    assert len(report.added) == len(news.ARTICLES), report.summary()
    return path
