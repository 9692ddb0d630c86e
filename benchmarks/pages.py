"""How fast the pages people read are served: the home page, the dataset page, search and resource
pages of the real graph, through a real ``sldkg serve`` on 127.0.0.1 (issue 11: under 50 ms).

    python -m benchmarks.pages [--requests 50]

Each page is fetched a few times to warm every worker's caches, then ``--requests`` times one
after another from a single client; the table gives the first (cold) request, the median and the
95th percentile of the timed ones in milliseconds, and the HTTP status. Resource IRIs are looked
up with SPARQL on the same server, so the benchmark follows the data instead of naming IRIs that
may change.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request

from benchmarks import REPO_ROOT
from benchmarks.systems import SldkgServer

#: Requests before timing: the server's workers each keep their own description cache.
WARM_UP = 8
#: The page budget of issue 11, in milliseconds.
BUDGET_MS = 50.0

FIRST_OF_CLASS = """SELECT ?s WHERE {{ ?s a <{cls}> }} ORDER BY ?s LIMIT 1"""
CLASSES = {
    "an initiative": "https://w3id.org/sldkg/ontology#Initiative",
    "a Land": "https://w3id.org/sldkg/ontology#Land",
    "a person": "https://schema.org/Person",
}


def fetch(url: str) -> tuple[int, float]:
    """(status, milliseconds) of one HTML request."""
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def first_resource(base: str, cls: str) -> str | None:
    """The local URL of the first resource of class ``cls`` (``None`` when there is none)."""
    query = urllib.parse.urlencode({"query": FIRST_OF_CLASS.format(cls=cls)})
    request = urllib.request.Request(f"{base}sparql?{query}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        bindings = json.load(response)["results"]["bindings"]
    if not bindings:
        return None
    iri = bindings[0]["s"]["value"]
    return base + iri.removeprefix("https://w3id.org/sldkg/")


def pages(base: str) -> dict[str, str]:
    found = {"home": base, "dataset": base + "dataset", "search": base + "search?q=thuringen", "agenda query": base + "queries/agenda"}
    for name, cls in CLASSES.items():
        url = first_resource(base, cls)
        if url:
            found[name] = url
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    args = parser.parse_args(argv)
    server = SldkgServer([REPO_ROOT / "ontology", REPO_ROOT / "data"])
    try:
        print(f"{'page':<16} {'status':>6} {'first ms':>9} {'median ms':>10} {'p95 ms':>8}  within {BUDGET_MS:.0f} ms")
        for name, url in pages(server.url).items():
            warm_up = [fetch(url) for _ in range(WARM_UP)]
            status, first = warm_up[-1][0], warm_up[0][1]  # the first request builds the page (cold caches)
            times = sorted(fetch(url)[1] for _ in range(args.requests))
            median, p95 = statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]
            verdict = ("yes" if median < BUDGET_MS else "no") if status == 200 else "(not served)"
            print(f"{name:<16} {status:>6} {first:>9.1f} {median:>10.1f} {p95:>8.1f}  {verdict}")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
