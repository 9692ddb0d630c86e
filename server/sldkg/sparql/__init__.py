"""SPARQL as a language and a protocol: query jobs and answers, request parsing, content
negotiation, the safety check and the service description.

Owns: what a query is (:mod:`.jobs`), how it arrives (:mod:`.protocol`), which media type it is
answered in (:mod:`.negotiation`), and whether a public endpoint may run it (:mod:`.safety`).
The one SPARQL lexer (:mod:`.lexer`) serves the safety check, protocol parsing and the remote backend.
May import: the standard library, :mod:`sldkg.settings`. Never Flask, files or a store.
"""
