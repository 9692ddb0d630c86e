"""Request-side helpers shared by the linked-data blueprints (resources, meta); not a blueprint itself."""

from __future__ import annotations

from flask import request

from sldkg.graph import reads as graph_reads
from sldkg.sparql.ld_negotiation import NotAcceptable, UnknownFormat, negotiate
from sldkg.web.errors import ApiError


def choose_format(offers: dict[str, str]) -> str:
    """The representation to send: ``?format=`` first, then the Accept header; 400/406 otherwise."""
    try:
        return negotiate(request.accept_mimetypes, request.args.get("format"), offers)
    except UnknownFormat as exc:
        raise ApiError(400, str(exc), parameter="format", known=exc.known) from None
    except NotAcceptable as exc:
        raise ApiError(406, str(exc), offered=exc.offered) from None


def refused(exc: graph_reads.Refused) -> ApiError:
    """The store's refusal of a read as the one error body."""
    answer = exc.answer
    return ApiError(answer.status, answer.message or "the store refused the request", answer.error or None, **answer.details)
