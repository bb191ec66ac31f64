"""The request log: one logfmt line per request that no path can split or forge, and unexpected errors
logged with their traceback (and shown without)."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

import web
from fixtures import LINGGANG


def access_records(caplog) -> list:
    """The access log's records (one per request)."""
    return [r for r in caplog.records if r.name == "web.access"]


@pytest.mark.parametrize(
    "method, url, status",
    [
        ("GET", "/?q=凌钢", 200),
        ("GET", "/?zone=火星", 400),
        ("GET", "/api/search?q=凌钢", 200),
        ("GET", f"/doc/{LINGGANG[0]}?q=凌钢", 200),
        ("GET", "/api/doc/nope", 404),
        ("GET", "/no/such/page", 404),
        ("POST", "/", 405),
        ("OPTIONS", "/api/search", 405),
        ("HEAD", "/?q=凌钢", 200),
        ("GET", "/static/style.css", 200),
        ("GET", "/?" + "zone=&" * 100, 400),
    ],
)
def test_each_request_logs_one_line_with_method_path_status_and_latency(client, caplog, method, url, status):
    caplog.set_level(logging.INFO, logger="web")
    with client.open(url, method=method) as response:
        assert response.status_code == status
    records = access_records(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    record = records[0]
    path = urlsplit(url).path
    assert (record.method, record.path, record.status) == (method, path, status)
    assert isinstance(record.ms, float) and 0 <= record.ms < 10_000
    assert record.levelno == logging.INFO
    line = record.getMessage()
    assert "\n" not in line
    fields = dict(part.split("=", 1) for part in line.split())
    assert fields["method"] == method and fields["status"] == str(status) and float(fields["ms"]) == record.ms
    assert fields["path"] == path or json.loads(fields["path"]) == path  # quoted when it is not plain
    assert re.fullmatch(r"[0-9a-f]{8}", fields["id"])


def test_a_log_line_cannot_be_split_or_forged_by_the_path(client, caplog):
    caplog.set_level(logging.INFO, logger="web")
    client.get('/doc/x%0Amethod=GET path=/ status=200 "')
    client.get("/doc/" + "长" * 2000)
    first, second = (r.getMessage() for r in access_records(caplog))
    # The path is one quoted value, its newline and quotes escaped; the real fields follow it.
    assert "\n" not in first and 'path="/doc/x\\nmethod=GET path=/ status=200 \\"" status=404 ' in first
    assert re.fullmatch(r'method=GET path="(?:[^"\\]|\\.)*" status=404 ms=[\d.]+ id=[0-9a-f]{8}', first)
    assert len(second) < 1000 and "status=404" in second  # an oversized path is cut


def test_an_unexpected_error_is_logged_with_its_traceback_and_shown_without(seed_index_dir, monkeypatch, caplog):
    from web import api, search_page

    def broken(*args, **kwargs):
        raise RuntimeError("boom: secret detail")

    monkeypatch.setattr(search_page, "search", broken)
    monkeypatch.setattr(api, "search", broken)
    caplog.set_level(logging.INFO, logger="web")
    client = web.create_app({"INDEX_DIR": str(seed_index_dir)}).test_client()
    response = client.get("/?q=凌钢")
    assert response.status_code == 500
    page_text = response.get_data(as_text=True)
    assert "secret detail" not in page_text and "Traceback" not in page_text and "search_page.py" not in page_text

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    error = errors[0]
    assert error.name == "web" and error.exc_info and error.exc_info[0] is RuntimeError
    logged = caplog.text
    assert "Traceback (most recent call last)" in logged and "RuntimeError: boom: secret detail" in logged
    assert "broken" in logged  # the frame that raised

    # One access line with status 500, whose id is the one in the error record and on the page.
    access = access_records(caplog)
    assert len(access) == 1 and access[0].status == 500
    request_id = access[0].request_id
    assert request_id in error.getMessage()
    soup = BeautifulSoup(page_text, "html.parser")
    assert soup.select_one(".error-id code").get_text() == request_id

    caplog.clear()
    api = client.get("/api/search?q=凌钢")
    assert api.status_code == 500 and api.get_json() == {
        "error": "An unexpected error occurred; please try again later."
    }
    assert "boom" not in api.get_data(as_text=True)
    assert len(access_records(caplog)) == 1 and "RuntimeError: boom" in caplog.text


def test_without_logging_configured_the_app_logs_to_stderr(tmp_path):
    """As under `search serve`: nothing configured logging, so the app writes its lines to stderr itself,
    once each (not again through the root handler waitress adds), and keeps waitress's queue warnings down."""
    import subprocess
    import sys

    script = f"""
import logging, sys
import web
app = web.create_app({{"INDEX_DIR": {str(tmp_path / "none")!r}}})
logging.basicConfig()  # what waitress.serve does after the app is made
client = app.test_client()
client.get("/api/doc/x")
# a second app: no second handler
web.create_app({{"INDEX_DIR": {str(tmp_path / "none")!r}}}).test_client().get("/nope")
logging.getLogger("waitress.queue").warning("Task queue depth is 3")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    access = [line for line in lines if "web.access" in line]
    assert len(access) == 2, result.stderr  # not printed again by the root handler ("INFO:web.access:…")
    assert re.fullmatch(
        r"\S+ \S+ INFO web\.access: method=GET path=/api/doc/x status=503 ms=[\d.]+ id=\w+", access[0]
    ), access[0]
    assert "method=GET path=/nope status=404" in access[1]
    assert any("ERROR web: " in line for line in lines)  # why the index is unavailable, on the server only
    assert "Task queue depth" not in result.stderr
    assert result.stdout == ""
