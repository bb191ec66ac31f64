"""pytest's fixtures: indexes built under tmp_path from the seeds or from the news written for the tests, a
CLI runner. The helpers the tests import are in `fixtures.py`."""

from __future__ import annotations

import pathlib

import pytest
from click.testing import CliRunner

import web
from fixtures import SEEDS
from indexer import index
from indexer.search import Index


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


@pytest.fixture(scope="session")
def news_index_dir(tmp_path_factory) -> pathlib.Path:
    """An index of the real-looking news in `tests/news.py` (long URLs, every form of date)."""
    import news

    source = news.write(tmp_path_factory.mktemp("news"))
    path = tmp_path_factory.mktemp("news-index")
    report = index.update(path, [source])
    assert len(report.added) == len(news.ARTICLES), report.summary()
    return path


@pytest.fixture(scope="session")
def app(seed_index_dir):
    """The web app over the seed index."""
    return web.create_app({"INDEX_DIR": str(seed_index_dir)})


@pytest.fixture(scope="session")
def client(app):
    """A test client of `app` (the app sets no cookies: one client serves every test)."""
    return app.test_client()


@pytest.fixture(scope="session")
def news_client(news_index_dir):
    """A test client of the web app over the news written for the tests."""
    return web.create_app({"INDEX_DIR": str(news_index_dir)}).test_client()
