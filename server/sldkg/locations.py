"""Where the dataset's four folders are: ``ontology/``, ``data/``, ``shapes/`` and ``queries/``.

A folder is taken from, in this order: an explicit command-line option or ``SLDKG_*`` variable
(handled by :mod:`sldkg.settings`), the current working directory when it has a folder of that
name, and last the copy bundled with the package (``sldkg/bundled/<name>``, found through
:mod:`importlib.resources`). So ``sldkg validate`` in a repository of workshop data checks that
repository's ``data/`` against the bundled ontology and shapes, and ``sldkg serve`` in an empty
folder serves the bundled dataset. Pure: no Flask; it only looks at folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

#: The folders of a dataset, in the order they are reported.
FOLDERS = ("ontology", "data", "shapes", "queries")


@dataclass(frozen=True)
class Folder:
    """One folder in use and where it came from (``option``, ``working directory`` or ``bundled``)."""

    name: str
    path: Path
    origin: str

    def describe(self) -> str:
        return f"{self.name}: {self.path} ({self.origin})"


def bundled(name: str) -> Path:
    """The copy of ``name`` (one of :data:`FOLDERS`) that ships inside the installed package."""
    if name not in FOLDERS:
        raise ValueError(f"unknown dataset folder {name!r}; known: {', '.join(FOLDERS)}")
    return Path(str(resources.files("sldkg") / "bundled" / name))


def find(name: str, cwd: Path | None = None) -> Folder:
    """``name`` of the working directory (``cwd``, default: the process's) if it exists, else the bundled copy."""
    here = (Path.cwd() if cwd is None else cwd) / name
    if here.is_dir():
        return Folder(name, here, "working directory")
    return Folder(name, bundled(name), "bundled")


def default_path(name: str) -> Path:
    """The path of :func:`find` alone (for settings defaults)."""
    return find(name).path
