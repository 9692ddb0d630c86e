"""The pages people read: the home page with the map of the Länder and the agenda, search, the
initiatives browser with facets, the dataset page, canned-query pages with their tables and charts,
and the "at a glance" facts of resource pages.

Owns what those pages show; the HTTP plumbing (negotiation, errors, CORS and gzip) comes from
:mod:`sldkg.web`. May import :mod:`sldkg.web.i18n`, :mod:`sldkg.web.answering`, :mod:`sldkg.web.errors`
and every non-web subpackage; never another blueprint.
"""
