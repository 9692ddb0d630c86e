"""Store backends: where a :class:`~sldkg.sparql.jobs.QueryJob` is evaluated.

Owns: the embedded pyoxigraph store's evaluation (:mod:`.evaluation`, :mod:`.result_limits`), the
killable executor processes and their sandbox (:mod:`.executors`, :mod:`.sandbox`), the embedded
backend (:mod:`.embedded`) and the remote SPARQL store (:mod:`.remote`).
May import: :mod:`sldkg.sparql`, :mod:`sldkg.graph`, :mod:`sldkg.settings`, :mod:`sldkg.vocabulary`. Never Flask or web.
"""
