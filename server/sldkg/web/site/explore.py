"""Pages for finding things: ``/search`` (by name, HTML or JSON), ``/initiatives`` (the reported
initiatives with facets, HTML or JSON) and ``/dataset`` (the figures of the graph and where its
machine-readable descriptions are).

JSON is chosen by ``format=json`` or by an Accept header that prefers ``application/json`` to HTML.
Labels are shown in the interface language when the data has it (:mod:`sldkg.web.i18n`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, jsonify, render_template, request

from sldkg.linked_data import description_queries as describe
from sldkg.linked_data.iri_map import local_url
from sldkg.linked_data.resource_view import compact
from sldkg.settings import RESOURCE_BASE
from sldkg.web import public_url_base
from sldkg.web.errors import ApiError
from sldkg.web.i18n import current_language, label_preference
from sldkg.web.site import facets, site_data

bp = Blueprint("explore", __name__)
MAX_QUERY = 200


def wants_json() -> bool:
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in ("html", "json"):
            raise ApiError(400, f"format={fmt!r} is not offered here; use html or json", offered=["html", "json"])
        return fmt == "json"
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


def finish(response: Response) -> Response:
    """Both twins vary by Accept and by language (their labels follow the interface language)."""
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    response.headers["Content-Language"] = current_language()
    return response


def label_of(iri: str) -> dict[str, str | None]:
    label = site_data.label_index().label(iri, label_preference())
    if label is None:
        return {"text": compact(iri), "lang": None}
    return {"text": label.text, "lang": label.lang}


@bp.get("/search")
def search() -> Response:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise ApiError(400, f"the search text is longer than {MAX_QUERY} characters")
    prefer = label_preference()
    index = site_data.label_index()
    hits = index.search(query, prefer) if query else []
    base = public_url_base()
    results: list[dict[str, Any]] = [
        {
            "iri": hit.iri,
            "url": local_url(hit.iri, base),
            "label": hit.label.text,
            "lang": hit.label.lang,
            "matched": {"text": hit.matched.text, "lang": hit.matched.lang, "property": hit.matched.kind},
            "types": [{"iri": t, **label_of(t)} for t in hit.types],
        }
        for hit in hits
    ]
    if wants_json():
        return finish(jsonify({"query": query, "count": len(results), "results": results}))
    return finish(Response(render_template("search.html", query=query, results=results), mimetype="text/html"))


def chosen_facets() -> dict[str, list[str]]:
    return {name: [v for v in request.args.getlist(name) if v] for name in facets.FACETS if request.args.getlist(name)}


def toggle_url(chosen: dict[str, list[str]], name: str, value: str) -> str:
    """The URL of this view with ``value`` of facet ``name`` chosen, or unchosen when it is."""
    new = {k: list(v) for k, v in chosen.items()}
    values = new.setdefault(name, [])
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params = [(k, v) for k in facets.FACETS for v in new.get(k, [])]
    if request.args.get("lang"):
        params.append(("lang", request.args["lang"]))
    return "?" + urlencode(params) if params else "?"


@bp.get("/initiatives")
def initiatives() -> Response:
    records = site_data.initiatives()
    chosen = chosen_facets()
    shown = facets.select(records, chosen)
    counts = facets.counts(records, chosen)
    base = public_url_base()

    def display(name: str, value: str) -> dict[str, str | None]:
        return {"text": value, "lang": None} if name == "year" else label_of(value)

    def described(name: str, value: str) -> dict[str, str | None]:
        """A facet value of one initiative: its label, the value itself and its page (years have none)."""
        return display(name, value) | {"value": value, "url": None if name == "year" else local_url(value, base)}

    items = [
        {
            "iri": r.iri,
            "url": local_url(r.iri, base),
            **label_of(r.iri),
            "values": {name: sorted((described(name, v) for v in r.values[name]), key=lambda d: d["text"] or "") for name in facets.FACETS},
        }
        for r in shown
    ]
    items.sort(key=lambda item: str(item["text"]).casefold())
    facet_view = {
        name: [
            {
                "value": c.value,
                "count": c.count,
                "selected": c.selected,
                "href": toggle_url(chosen, name, c.value),
                **display(name, c.value),
            }
            for c in choices
        ]
        for name, choices in counts.items()
    }
    if wants_json():
        return finish(jsonify({"chosen": chosen, "count": len(items), "initiatives": items, "facets": facet_view}))
    html = render_template("initiatives.html", items=items, facet_view=facet_view, chosen=chosen, total=len(records))
    return finish(Response(html, mimetype="text/html"))


@bp.get("/dataset")
def dataset() -> Response:
    triples = site_data.rows(describe.TRIPLES_QUERY)
    resources = site_data.rows(describe.RESOURCES_QUERY)
    counts = [
        {
            "iri": row["class"].value,
            "url": local_url(row["class"].value, public_url_base()),
            "curie": compact(row["class"].value),
            "n": int(row["n"].value),
            **label_of(row["class"].value),
        }
        for row in site_data.rows(describe.CLASS_COUNTS_QUERY)
    ]
    html = render_template(
        "dataset.html",
        triples=int(triples[0]["n"].value) if triples else 0,
        resources=int(resources[0]["n"].value) if resources else 0,
        counts=counts,
        resource_base=RESOURCE_BASE,
    )
    return finish(Response(html, mimetype="text/html"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
