"""A generator of synthetic workshop series: N copies of a real report with renamed IRIs and labels.

``python -m benchmarks.synthetic OUT --triples 100000`` (or ``--documents N``) writes::

    OUT/reference/*.ttl                      the shared reference data, copied unchanged
    OUT/workshops/blw6-2020-11-03/           document 1: the real report, copied unchanged (the
                                             reference data cites its passages)
    OUT/workshops/syn-00002/<file>.ttl ...   document i >= 2: every file of the template report
    OUT/workshops/syn-00002/source.txt       the template's source text (provenance anchor)

Document ``i >= 2`` is the template (by default ``data/workshops/blw6-2020-11-03/``) with

* the report's own resources (``id/event/blw-2020-11-03…``, ``id/report/blw-2020-11-03…``) moved to the slug
  ``syn00002`` (``id/event/syn00002/agenda/01`` …),
* every other resource the template describes (people, quotes, statements, initiatives, …) given
  the suffix ``-syn00002`` (``id/person/max-muster-syn00002``),
* its labels (``rdfs:label``, ``skos:prefLabel``: names that are not facts, so the copied
  rdf:Statements stay true) given the suffix `` (synthetisch 2)``,

while shared resources (everything ``data/reference/`` describes: Länder, topics, organisations, the
initiative, the series; ontology terms) keep their IRIs, also where the report states facts about
them. So every document has the real report's shape and conforms to
``shapes/`` exactly when the real report does; ``tests/test_synthetic.py`` checks that.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from benchmarks import REPO_ROOT
from sldkg.backends.evaluation import PREFIXES
from sldkg.settings import RESOURCE_BASE

TEMPLATE = REPO_ROOT / "data" / "workshops" / "blw6-2020-11-03"
REFERENCE = REPO_ROOT / "data" / "reference"
#: Names that are not facts (docs/MODEL.md): renaming them leaves every rdf:Statement of the copy true.
LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
)
_IRI = re.compile(r"<(" + re.escape(RESOURCE_BASE) + r"[^>]*)>")


@dataclass(frozen=True)
class Template:
    """A report folder read once: its files as N-Triples text, and which IRIs it describes."""

    folder: Path
    files: tuple[tuple[str, str], ...]  # (file name, N-Triples text)
    described: frozenset[str]
    report_slug: str | None
    triples: int
    source_text: Path | None

    @classmethod
    def read(cls, folder: Path = TEMPLATE) -> Template:
        files, described, triples = [], set(), 0
        for path in sorted(folder.glob("*.ttl")):
            quads = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))
            triples += len(quads)
            described.update(q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode))
            files.append((path.name, ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES).decode()))
        if not files:
            raise ValueError(f"{folder}: no Turtle files to copy")
        shared = {
            q.subject.value
            for path in sorted(REFERENCE.glob("*.ttl"))
            for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
            if isinstance(q.subject, ox.NamedNode)
        }
        # what a report says about shared resources (the initiative, the series, federal bodies) stays on them
        described = {iri for iri in described if iri.startswith(RESOURCE_BASE) and iri not in shared}
        slugs = {iri[len(RESOURCE_BASE) :].split("/")[1] for iri in described if iri.startswith(RESOURCE_BASE + "report/")}
        source = folder / "source.txt"
        return cls(folder, tuple(files), frozenset(described), min(slugs) if slugs else None, triples, source if source.exists() else None)

    def renamer(self, number: int) -> dict[str, str]:
        """Old IRI -> new IRI for document ``number``."""
        tag = f"syn{number:05d}"
        mapping = {}
        for iri in self.described:
            kind, _, rest = iri[len(RESOURCE_BASE) :].partition("/")
            slug, slash, tail = rest.partition("/")
            if self.report_slug and slug == self.report_slug:
                mapping[iri] = f"{RESOURCE_BASE}{kind}/{tag}{slash}{tail}"
            elif not slash:
                mapping[iri] = f"{RESOURCE_BASE}{kind}/{slug}-{tag}"
            else:  # a resource below one the template describes, e.g. id/person/x/membership/1
                mapping[iri] = f"{RESOURCE_BASE}{kind}/{slug}-{tag}/{tail}"
        return mapping

    def document(self, number: int) -> list[tuple[str, str]]:
        """(file name, N-Triples text) of synthetic document ``number``."""
        mapping = self.renamer(number)
        suffix = f" (synthetisch {number})"

        def iri(match: re.Match) -> str:
            return "<" + mapping.get(match.group(1), match.group(1)) + ">"

        out = []
        for name, text in self.files:
            lines = []
            for line in text.splitlines():
                line = _IRI.sub(iri, line)
                if any(f'> <{p}> "' in line for p in LABELS):
                    line = _rename_label(line, suffix)
                lines.append(line)
            out.append((name, "\n".join(lines) + "\n"))
        return out


def _rename_label(line: str, suffix: str) -> str:
    """Append ``suffix`` inside the (last) string literal of an N-Triples line."""
    end = line.rfind('"')
    return line[:end] + suffix + line[end:] if end > 0 else line


@dataclass(frozen=True)
class Series:
    folder: Path
    documents: int
    triples: int
    seconds: float


def documents_for(triples: int, template: Template, reference_triples: int) -> int:
    """How many documents make about ``triples`` triples together with the reference data and ontology."""
    return max(1, round((triples - reference_triples) / template.triples))


def generate(out: Path, documents: int, *, template: Template | None = None, reference: Path | None = REFERENCE) -> Series:
    """Write a series of ``documents`` reports (the template, then synthetic copies) and the reference data below ``out``."""
    started = time.perf_counter()
    template = template or Template.read()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    triples = 0
    if reference is not None and reference.exists():
        shutil.copytree(reference, out / "reference")
        triples += sum(len(list(ox.parse(p.read_bytes(), format=ox.RdfFormat.TURTLE))) for p in (out / "reference").rglob("*.ttl"))
    shutil.copytree(template.folder, out / "workshops" / template.folder.name)
    triples += template.triples
    for number in range(2, documents + 1):
        folder = out / "workshops" / f"syn-{number:05d}"
        folder.mkdir(parents=True)
        for name, text in template.document(number):
            quads = list(ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES))
            triples += len(quads)
            (folder / name).write_bytes(ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
        if template.source_text:
            shutil.copyfile(template.source_text, folder / "source.txt")
    return Series(out, documents, triples, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (replaced)")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--documents", type=int, help="number of synthetic reports")
    size.add_argument("--triples", type=float, help="approximate total triples (e.g. 1e5)")
    parser.add_argument("--template", type=Path, default=TEMPLATE, help="report folder to copy [default: %(default)s]")
    args = parser.parse_args(argv)
    template = Template.read(args.template)
    reference_triples = sum(len(list(ox.parse(p.read_bytes(), format=ox.RdfFormat.TURTLE))) for p in REFERENCE.rglob("*.ttl"))
    documents = args.documents or documents_for(int(args.triples), template, reference_triples)
    series = generate(args.out, documents, template=template)
    print(f"{series.documents} documents, {series.triples} triples in {series.folder} ({series.seconds:.1f} s)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
