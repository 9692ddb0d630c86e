"""Mapping between the dataset's persistent IRIs and the URLs of this server; pure (no Flask).

Every IRI minted under :data:`~sldkg.settings.BASE_IRI` (``https://w3id.org/sldkg/``) is served at
the same path below the server's own base URL: ``http://127.0.0.1:8000/id/land/DE-BY`` describes
``https://w3id.org/sldkg/id/land/DE-BY``. The public base is ``Settings.base_url`` when configured
(``sldkg serve --base-url``), otherwise the URL the request came in on.
"""

from __future__ import annotations

import re

from sldkg.settings import BASE_IRI, RESOURCE_BASE

#: What a resource path below ``id/`` may contain: the slugs of docs/MODEL.md (lower-case ASCII,
#: digits, hyphens), ISO codes (upper case) and ``/`` between segments. Anything else is no IRI we mint.
_RESOURCE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")


def resource_iri(path: str) -> str | None:
    """The IRI for the part of a request path below ``/id/``, or ``None`` when it cannot be one of ours."""
    if not _RESOURCE_PATH.fullmatch(path) or ".." in path:
        return None
    return RESOURCE_BASE + path


def public_base(base_url: str | None, request_root: str) -> str:
    """The base URL links point to: the configured ``base_url`` or the request's root, ending with ``/``."""
    base = base_url or request_root
    return base if base.endswith("/") else base + "/"


def local_url(iri: str, base: str) -> str:
    """Where ``iri`` is served: IRIs under :data:`BASE_IRI` move to ``base``; others stay as they are."""
    if iri.startswith(BASE_IRI):
        return base + iri[len(BASE_IRI) :]
    return iri


def is_local(iri: str) -> bool:
    return iri.startswith(BASE_IRI)
