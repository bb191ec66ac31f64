"""The JSON API: /api/search is the engine's JSON, /api/doc an article; bad input a 400 with a message."""

from __future__ import annotations

import json

import pytest

from fixtures import LINGGANG
from indexer import record
from indexer.export import results_json
from indexer.search import Index, search


def test_api_search_is_the_engines_json(client, seed_index_dir):
    response = client.get("/api/search?q=凌钢")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "凌钢".encode() in response.data and b"\\u" not in response.data  # UTF-8, not escaped
    data = response.get_json()
    expected = results_json(search(Index(seed_index_dir), "凌钢"))
    assert list(data) == list(expected)
    assert list(data["hits"][0]) == list(expected["hits"][0])
    assert list(data["facets"]) == list(expected["facets"])
    assert {h["id"] for h in data["hits"]} == set(LINGGANG)
    assert data["total"] == 2 and data["query"] == "凌钢"
    assert "<mark>凌钢</mark>" in data["hits"][0]["snippet"]


def test_api_search_takes_the_page_parameters(client):
    data = client.get("/api/search?q=开发区&zone=凌源&zone=喀左&per_page=2&page=2&sort=date").get_json()
    assert (data["total"], data["page"], data["per_page"], len(data["hits"])) == (3, 2, 2, 1)
    assert client.get("/api/search?zone=凌源").get_json()["total"] == 3


@pytest.mark.parametrize(
    "url",
    [
        "/api/search",
        "/api/search?q=",
        '/api/search?q="x',
        "/api/search?q=凌钢&per_page=101",
        "/api/search?q=凌钢&per_page=0",
        "/api/search?q=凌钢&page=x",
        "/api/search?zone=火星",
    ],
)
def test_api_search_bad_input_is_a_400_with_a_message(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error, str) and error.endswith(("。", "."))


def test_api_search_empty_result_has_no_hits(client):
    data = client.get("/api/search?q=凌钢&zone=北票&year=2020").get_json()
    assert data["total"] == 0 and data["hits"] == []


def test_api_doc(client):
    response = client.get(f"/api/doc/{LINGGANG[0]}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == LINGGANG[0] and data["title"] == "营商环境优 发展势头足"
    assert set(data) == set(record.JSON_FIELDS) | {"paragraphs"}
    for path in ["/api/doc/unknown", "/api/doc/..%2F..%2Fetc%2Fpasswd", "/api/nothing"]:
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json()["error"]


def test_json_is_utf8(client):
    raw = client.get(f"/api/doc/{LINGGANG[0]}").data
    assert json.loads(raw.decode("utf-8"))["title"] == "营商环境优 发展势头足"
    assert "营商环境优".encode() in raw
