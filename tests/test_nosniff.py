"""``X-Content-Type-Options: nosniff`` on every answer of the app (issue 12): pages, JSON and text
answers, errors that echo input, 404s and static files, whatever the method."""

from __future__ import annotations

import pytest

SAMPLE = [
    ("GET", "/", {}),
    ("GET", "/sparql", {}),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "text/csv"}),
    ("GET", "/sparql?query=%3Cscript%3Ealert(1)%3C/script%3E", {}),  # 400 that echoes its input
    ("GET", "/sparql?query=%3Cscript%3E", {"Accept": "text/plain"}),
    ("POST", "/sparql", {"Content-Type": "text/html"}),  # 415
    ("PUT", "/sparql", {}),  # 405
    ("GET", "/queries", {"Accept": "application/json"}),
    ("GET", "/queries/initiatives-since?year=" + "9" * 5000, {}),  # 400
    ("GET", "/queries/initiatives-since?year=%3Cb%3E", {"Accept": "text/html"}),
    ("GET", "/queries/no-such-query", {}),  # 404
    ("GET", "/id/land/DE-BY", {"Accept": "text/turtle"}),
    ("GET", "/id/no/such/thing", {"Accept": "text/html"}),
    ("GET", "/no-such-page%3Cscript%3E", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/healthz", {}),
    ("POST", "/healthz", {}),
    ("GET", "/dumps/", {}),
    ("GET", "/dumps/no-such-dump.ttl", {}),
    ("GET", "/static/no-such-file.js", {}),
    ("HEAD", "/", {}),
    ("OPTIONS", "/sparql", {}),
]


@pytest.mark.parametrize(("method", "path", "headers"), SAMPLE, ids=[f"{m} {p[:60]}" for m, p, _ in SAMPLE])
def test_every_answer_says_nosniff(client, method, path, headers):
    response = client.open(path, method=method, headers=headers)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (response.status_code, response.mimetype)


def test_the_sample_covers_answers_and_errors(client):
    statuses = {client.open(p, method=m, headers=h).status_code for m, p, h in SAMPLE}
    assert {200, 400, 404, 405, 415} <= statuses


@pytest.mark.parametrize("name", ["site.css", "query-ui.js", "favicon.svg"])
def test_static_files_say_nosniff(client, name):
    response = client.get("/static/" + name)
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    response.close()
