"""Search, the initiatives browser with facets, the home page's map and the dataset page."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from sldkg.web.site import facets, lander_map
from sldkg.web.site.search import Index, Label, fold

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LAND = "https://w3id.org/sldkg/id/land/"
GEODATA = Path(__file__).resolve().parents[1] / "server" / "sldkg" / "web" / "geodata"


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Thüringen", "thuringen"), ("Straße", "strasse"), ("  Baden-Württemberg ", "baden-wurttemberg"), ("ÉCOLE", "ecole")],
)
def test_fold_ignores_case_and_diacritics(text, folded):
    assert fold(text) == folded


def test_index_ranks_exact_before_prefix_before_substring():
    index = Index(
        [
            Label("urn:a", "Thüringen", "de", "prefLabel"),
            Label("urn:b", "Digitalpreis Thüringen", "de", "prefLabel"),
            Label("urn:c", "Thüringer Netzwerk", "de", "prefLabel"),
            Label("urn:d", "Sachsen", "de", "prefLabel"),
        ]
    )
    assert [h.iri for h in index.search("thuring", ("de", "en"))] == ["urn:a", "urn:c", "urn:b"]  # prefixes, then the rest
    assert next(h.iri for h in index.search("thuringen", ("de", "en"))) == "urn:a"
    assert index.search("", ("de",)) == []


def test_passages_come_after_the_things_they_mention(client):
    results = client.get("/search?q=thuringen&format=json").get_json()["results"]
    kinds = ["http://www.w3.org/ns/oa#SpecificResource" in [t["iri"] for t in r["types"]] for r in results]
    assert kinds == sorted(kinds) and not kinds[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("thuringen", "DE-TH"),
        ("THÜRINGEN", "DE-TH"),
        ("thueringen", "DE-TH"),
        ("Thuringia", "DE-TH"),
        ("baden-wurttemberg", "DE-BW"),
        ("Freie Hansestadt", "DE-HB"),  # skos:altLabel
    ],
)
def test_search_finds_lander_by_any_label(client, query, expected):
    answer = client.get(f"/search?q={quote(query)}&format=json").get_json()
    assert answer["results"], query
    assert answer["results"][0]["iri"] == LAND + expected


def test_search_answers_json_by_accept_header_and_html_to_browsers(client):
    as_json = client.get("/search?q=bayern", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json"
    first = as_json.get_json()["results"][0]
    assert first["iri"] == LAND + "DE-BY" and first["url"] == "http://localhost/id/land/DE-BY"
    assert {"label", "lang", "matched", "types"} <= set(first)
    html = client.get("/search?q=bayern", headers={"Accept": BROWSER})
    assert html.mimetype == "text/html"
    assert 'href="http://localhost/id/land/DE-BY"' in html.get_data(as_text=True)
    assert "Accept" in html.headers["Vary"]


def test_search_labels_follow_the_language(client):
    en = client.get("/search?q=thuringen&format=json&lang=en").get_json()["results"][0]
    de = client.get("/search?q=thuringen&format=json&lang=de").get_json()["results"][0]
    assert (en["label"], en["lang"]) == ("Thuringia", "en")
    assert (de["label"], de["lang"]) == ("Thüringen", "de")


def test_search_refuses_bad_input(client):
    assert client.get("/search?q=" + "x" * 201).status_code == 400
    assert client.get("/search?q=x&format=xml").status_code == 400
    assert client.get("/search?format=json").get_json() == {"query": "", "count": 0, "results": []}


def test_facet_counts_count_over_the_other_facets():
    records = [facets.Record(f"urn:{i}") for i in range(4)]
    for record, land, status in zip(records, ["BY", "BY", "SN", "SN"], ["run", "plan", "run", "run"], strict=True):
        record.values["land"] = {land}
        record.values["status"] = {status}
    counts = facets.counts(records, {"land": ["BY"]})
    assert [(c.value, c.count, c.selected) for c in counts["land"]] == [("BY", 2, True), ("SN", 2, False)]
    assert {(c.value, c.count) for c in counts["status"]} == {("run", 1), ("plan", 1)}
    assert [r.iri for r in facets.select(records, {"land": ["BY"], "status": ["run"]})] == ["urn:0"]
    assert len(facets.select(records, {"land": ["BY", "SN"]})) == 4  # values of one facet widen


def test_initiatives_facets_filter_and_count(client):
    every = client.get("/initiatives?format=json").get_json()
    assert every["count"] == len(every["initiatives"]) >= 30
    saxony = client.get("/initiatives?format=json&land=" + quote(LAND + "DE-SN")).get_json()
    by_land = {c["value"]: c["count"] for c in every["facets"]["land"]}
    assert saxony["count"] == by_land[LAND + "DE-SN"] > 0
    assert all(LAND + "DE-SN" in [v["value"] for v in i["values"]["land"]] for i in saxony["initiatives"])
    assert next(c for c in saxony["facets"]["land"] if c["selected"])["value"] == LAND + "DE-SN"
    # an initiative has at most one status, so the status counts of the chosen Land cannot exceed its initiatives
    assert 0 < sum(c["count"] for c in saxony["facets"]["status"]) <= saxony["count"]
    # the same view in HTML, with facet links that keep the choice in the URL
    html = client.get("/initiatives?land=" + quote(LAND + "DE-SN"), headers={"Accept": BROWSER}).get_data(as_text=True)
    assert html.count("<tr><td><a href=") == saxony["count"]
    assert 'aria-current="true"' in html
    assert re.search(r'href="\?land=https%3A%2F%2Fw3id.org%2Fsldkg%2Fid%2Fland%2FDE-SN&amp;status=', html)


def test_facet_choices_of_several_facets_narrow(client):
    every = client.get("/initiatives?format=json").get_json()
    kind = every["facets"]["kind"][0]["value"]
    planned = "https://w3id.org/sldkg/ontology#Planned"
    both = client.get("/initiatives?format=json&kind=" + quote(kind) + "&status=" + quote(planned)).get_json()
    assert both["count"] <= every["count"]
    assert all(
        kind in [v["value"] for v in i["values"]["kind"]] and planned in [v["value"] for v in i["values"]["status"]]
        for i in both["initiatives"]
    )


def test_geometry_is_vendored_small_with_source_and_licence():
    data = json.loads((GEODATA / "lander.json").read_text(encoding="utf-8"))
    assert sorted(data["regions"]) == sorted(
        "DE-" + c for c in ("BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH")
    )
    assert (GEODATA / "lander.json").stat().st_size < 30_000
    assert data["source"]["licence"] == "CC-BY-4.0" and data["source"]["version"]
    readme = (GEODATA / "README.md").read_text(encoding="utf-8")
    assert "@svg-maps/germany" in readme and data["source"]["version"] in readme and "CC BY 4.0" in readme
    assert (GEODATA / "LICENSE-svg-maps-germany.md").exists()


def test_map_legend_steps_cover_every_count():
    legend = lander_map.steps(5)
    assert legend[0].low == 0 and legend[-1].high == 5
    assert all(a.high + 1 == b.low for a, b in itertools.pairwise(legend))


def test_home_page_map_links_every_land_with_name_and_tooltip(client):
    html = client.get("/?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    region = r'<a href="([^"]+)" class="land" data-code="(DE-[A-Z]{2})" aria-label="([^"]+)">\s*'
    region += r'<path d="[^"]+" fill="(#[0-9a-f]{6})"><title>([^<]+)</title>'
    regions = re.findall(region, html)
    assert len(regions) == 16
    by_code = {code: (href, name, fill, title) for href, code, name, fill, title in regions}
    assert by_code["DE-TH"][0] == "http://localhost/id/land/DE-TH"
    assert by_code["DE-TH"][1] == by_code["DE-TH"][3] == "Thuringia: took part, 1 initiative reported"
    assert by_code["DE-BE"][2] == lander_map.NOT_PARTICIPATING  # Berlin did not take part
    assert by_code["DE-NW"][2] != by_code["DE-TH"][2]  # more initiatives, darker
    assert "@svg-maps/germany" in html and "https://creativecommons.org/licenses/by/4.0/" in html


def test_home_page_leads_with_the_workshop_agenda_search_and_queries(client):
    html = client.get("/?lang=de", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<time datetime="2020-11-03">3. November 2020</time>' in html
    assert "Auf der Suche nach dem Digitalisierungsschub" in html
    assert "<dd>online</dd>" in html
    assert 'role="search"' in html and 'action="http://localhost/search"' in html
    assert 'class="chart timeline"' in html
    assert 'href="http://localhost/queries/laender-participation"' in html
    assert '<table class="counts">' not in html  # the class counts live on /dataset now


def test_canned_query_tables_show_labels_linked_not_iris(client):
    html = client.get("/queries/initiatives-by-land?format=html&lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "https://w3id.org/sldkg/id/" not in body  # no IRI as text
    # Amt24 is a proper name: German only, no invented English name
    assert '<a href="http://localhost/id/initiative/amt24" lang="de">Amt24</a>' in body
    assert '<a href="http://localhost/id/land/DE-BY" lang="en">Bavaria</a>' in body  # the interface language's label
    german = client.get("/queries/initiatives-by-land?format=html&lang=de", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<a href="http://localhost/id/land/DE-BY" lang="de">Bayern</a>' in german
    assert '<th scope="col">landName</th>' not in html  # the label column merged into its link column
    assert 'class="table-scroll"' in html and 'class="results sortable"' in html
    assert "format=csv" in html and "format=json" in html


def test_initiative_page_groups_values_by_meaning(client):
    html = client.get("/id/initiative/amt24?format=html&lang=en").get_data(as_text=True)
    glance = html[html.index('id="glance-h"') : html.index("</dl>")]
    for title in ("Kind", "Land", "Status", "Reported at", "Source"):
        assert f"<dt>{title}</dt>" in glance
    assert ">Saxony</a>" in glance
    assert "All properties" in html  # the raw properties stay below


def test_land_page_shows_participation_and_initiatives(client):
    html = client.get("/id/land/DE-SN?format=html&lang=de").get_data(as_text=True)
    glance = html[html.index('id="glance-h"') : html.index("</dl>")]
    assert "<dt>Teilgenommen an</dt>" in glance and "<dt>Berichtete Initiativen</dt>" in glance
    assert ">Amt24</a>" in glance


def test_dataset_page_links_void_dcat_dumps_and_endpoint(client):
    html = client.get("/dataset?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    for href in (".well-known/void", "catalog", "dumps/", "sparql"):
        assert f'href="http://localhost/{href}"' in html
    assert re.search(r'class="triples">\d+<', html)
