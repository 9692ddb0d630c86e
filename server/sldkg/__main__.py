"""``python -m sldkg``: the same as the ``sldkg`` command."""

from sldkg.cli import run

run()
