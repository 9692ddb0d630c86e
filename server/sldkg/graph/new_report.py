"""Scaffold a new report folder ``data/workshops/<folder>/`` (``sldkg new-report``).

The folder gets the source text copied byte for byte (``source.txt``, its SHA-256 in
``report.ttl``), the report and its event as members of the Bundesländerworkshop series (the
event states ``schema:superEvent``; the series never lists its events) and the fact files of
:data:`sldkg.graph.report_templates.FACT_FILES`, all in the canonical Turtle layout. Nothing outside
the new folder is written. The scaffold validates as it is:

* the event IRI follows the date (``id/event/blw-YYYY-MM-DD``, docs/MODEL.md), and so do the report
  (``id/report/blw-YYYY-MM-DD``) and its passages;
* the report and its event derive from passages anchored in the text: the title where the text has
  it verbatim, the date where the text writes it (``3. November 2020``, ``03.11.2020``), else the
  text's first line, the facts then marked inferred in the series model;
* passages are named after their first words (docs/MODEL.md), and every fact triple of the
  scaffold gets its ``rdf:Statement`` in ``provenance.ttl`` (per-statement provenance).

Pure apart from reading the data folder and writing the new one; no Flask.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

from sldkg.graph import report_templates as templates
from sldkg.graph.anchor import Passage, context, locate, render
from sldkg.graph.canonical_turtle import canonicalize_turtle
from sldkg.graph.naming import GERMAN_MONTHS, slug, statement_iri
from sldkg.vocabulary import ID, SCHEMA

SERIES = URIRef(ID + "series/bundeslaenderworkshop")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FOLDER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: A passage is a sentence or phrase, not a page.
MAX_QUOTE = 200
#: The stored text's format and language (EU authority tables, as DCAT-AP.de expects).
TEXT_FORMAT = "<http://publications.europa.eu/resource/authority/file-type/TXT>"
TEXT_LANGUAGE = "<http://publications.europa.eu/resource/authority/language/DEU>"


class NewReportError(Exception):
    """A parameter of ``sldkg new-report`` that cannot be used; ``parameter`` names it (``--date``, ``DIR``)."""

    def __init__(self, parameter: str, message: str):
        self.parameter, self.message = parameter, message
        super().__init__(f"{parameter}: {message}")


@dataclass(frozen=True)
class NewReport:
    """The parameters of ``sldkg new-report``, checked (see :func:`checked`)."""

    folder: str
    source: Path
    title: str
    date: datetime.date

    @property
    def key(self) -> str:
        """``blw-YYYY-MM-DD``: the report's and the event's local name."""
        return f"blw-{self.date.isoformat()}"

    @property
    def event(self) -> URIRef:
        return URIRef(f"{ID}event/{self.key}")

    @property
    def report(self) -> URIRef:
        return URIRef(f"{ID}report/{self.key}")

    @property
    def text(self) -> URIRef:
        return URIRef(f"{ID}report/{self.key}/text")


def checked(data: Path, folder: str, source: Path, title: str, date: str) -> NewReport:
    """The parameters as a :class:`NewReport`, or :class:`NewReportError` naming the first bad one."""
    if not DATE.match(date):
        raise NewReportError("--date", f"{date!r} is not a date written YYYY-MM-DD")
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError as exc:
        raise NewReportError("--date", f"{date!r} is not a date: {exc}") from None
    if not FOLDER.match(folder):
        raise NewReportError("DIR", f"{folder!r} is not a folder name of lower-case letters, digits and hyphens (e.g. blw7-2021-04-27)")
    if not (data / "workshops").is_dir():
        raise NewReportError("--data", f"{data} has no workshops/ folder")
    if (data / "workshops" / folder).exists():
        raise NewReportError("DIR", f"{data / 'workshops' / folder} exists already; a new report needs a new folder")
    if not source.is_file():
        raise NewReportError("--source", f"{source} is not a file")
    try:
        text = source.read_bytes().decode("utf-8")
    except OSError as exc:
        raise NewReportError("--source", f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise NewReportError("--source", f"{source} is not UTF-8 text: {exc}") from None
    if not text.strip():
        raise NewReportError("--source", f"{source} is empty")
    if not title.strip() or title != " ".join(title.split()):
        raise NewReportError("--title", "give the title on one line, without leading, trailing or repeated spaces")
    return NewReport(folder=folder, source=source, title=title, date=day)


# --- passages -------------------------------------------------------------------------------


def first_line(text: str) -> str:
    """The text's first non-blank line, cut at a word boundary to at most :data:`MAX_QUOTE` characters."""
    line = next(line.strip() for line in text.splitlines() if line.strip())
    if len(line) <= MAX_QUOTE:
        return line
    cut = line[:MAX_QUOTE].rsplit(" ", 1)[0].rstrip()
    return cut or line[:MAX_QUOTE]


def date_forms(day: datetime.date) -> list[str]:
    """How a German text writes ``day``."""
    return [
        f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}",
        f"{day.day:02d}.{day.month:02d}.{day.year}",
        f"{day.day}.{day.month}.{day.year}",
        day.isoformat(),
    ]


@dataclass
class Evidence:
    """The passages of the scaffold: the title and the date where the text has them, else its first line."""

    passages: list[Passage] = field(default_factory=list)
    title: Passage | None = None  # None: the text does not have the title verbatim
    date: Passage | None = None  # None: the text does not write the date
    first_line: Passage | None = None  # only where the title or the date is missing

    def title_support(self) -> Passage:
        found = self.title or self.first_line
        assert found is not None  # find_evidence adds the first line where the title is missing
        return found

    def date_support(self) -> Passage:
        found = self.date or self.first_line
        assert found is not None
        return found


def find_evidence(new: NewReport, text: str) -> Evidence:
    """Passages for the title and the date (or the text's first line), anchored as ``sldkg anchor`` does."""
    evidence = Evidence()

    def passage(start: int, end: int) -> Passage:
        for known in evidence.passages:
            if (known.start, known.end) == (start, end):
                return known
        exact = text[start:end]
        taken = {p.iri.rsplit("/", 1)[-1] for p in evidence.passages}
        name = first = slug(exact)
        while name in taken:
            name = f"{first}-{len(taken) + 1}"
            taken.add(name)
        prefix, suffix = context(text, start, end)
        found = Passage(f"{new.report}/passage/{name}", str(new.text), exact, prefix, suffix, start, end, [])
        locate(text, exact, prefix, suffix)  # the context singles it out, as `sldkg anchor --check` expects
        evidence.passages.append(found)
        return found

    if len(new.title) <= MAX_QUOTE and (at := text.find(new.title)) >= 0:
        evidence.title = passage(at, at + len(new.title))
    spans = [(at, form) for form in date_forms(new.date) if (at := text.find(form)) >= 0]
    if spans:
        at, form = min(spans)
        evidence.date = passage(at, at + len(form))
    if evidence.title is None or evidence.date is None:
        heading = first_line(text)
        at = text.index(heading)
        evidence.first_line = passage(at, at + len(heading))
    return evidence


# --- Turtle ---------------------------------------------------------------------------------


def iri_list(passages: list[Passage]) -> str:
    """The passages' IRIs as a Turtle object list, each once."""
    return " , ".join(f"<{iri}>" for iri in dict.fromkeys(p.iri for p in passages))


@dataclass(frozen=True)
class Fact:
    """One fact triple of the scaffold and its support."""

    subject: URIRef
    predicate: URIRef
    object: rdflib.term.Node
    passages: list[Passage]
    note: tuple[str, str] | None  # None: stated by the passages; else inferred, and how (German, English)


def event_already_named(data: Path, event: URIRef) -> bool:
    """Whether a report already in ``data`` gives ``event`` a label (e.g. announced it as the next workshop)."""
    local_name = str(event).rsplit("/", 1)[-1]
    for ttl in sorted((data / "workshops").glob("*/*.ttl")):
        if ttl.name in ("passages.ttl", "provenance.ttl") or local_name not in ttl.read_text(encoding="utf-8"):
            continue  # (a cheap filter: only files that mention the event are parsed)
        graph = rdflib.Graph()
        graph.parse(ttl, format="turtle")
        if (event, RDFS.label, None) in graph:
            return True
    return False


#: Notes of inferred facts, German and English (docs/MODEL.md: an inferred statement says how, in both).
TITLE_NOT_IN_TEXT = (
    "Der Titel wurde `sldkg new-report` übergeben; der Text enthält ihn nicht wörtlich.",
    "The title was given to `sldkg new-report`; the text does not have it verbatim.",
)
DATE_NOT_IN_TEXT = (
    "Das Datum wurde `sldkg new-report` übergeben; der Text nennt es nicht.",
    "The date was given to `sldkg new-report`; the text does not write it.",
)
DOCUMENTS_EVENT = (
    "Der Bericht dokumentiert den Workshop des Datums, das `sldkg new-report` übergeben wurde.",
    "The report documents the workshop of the date given to `sldkg new-report`.",
)
MEMBER_OF_SERIES = (
    "Ein Workshop der Reihe Bundesländerworkshop, wie beim Anlegen mit `sldkg new-report` angegeben.",
    "A workshop of the Bundesländerworkshop series, as stated when it was added with `sldkg new-report`.",
)


def facts_of(new: NewReport, evidence: Evidence, with_naming: bool) -> list[Fact]:
    """The fact triples the scaffold asserts about the report and its event, with their support."""
    title = Literal(new.title, lang="de")
    title_support = [evidence.title_support()]
    title_note = None if evidence.title else TITLE_NOT_IN_TEXT
    date_support = [evidence.date_support()]
    date_note = None if evidence.date else DATE_NOT_IN_TEXT
    facts = [
        Fact(new.report, SCHEMA.name, title, title_support, title_note),
        Fact(new.report, SCHEMA.about, new.event, [*title_support, *date_support], DOCUMENTS_EVENT),
    ]
    if with_naming:
        facts += [
            Fact(new.event, SCHEMA.name, title, title_support, title_note),
            Fact(new.event, SCHEMA.startDate, Literal(new.date.isoformat(), datatype=XSD.date), date_support, date_note),
            Fact(new.event, SCHEMA.superEvent, SERIES, title_support, MEMBER_OF_SERIES),
        ]
    return facts


def note_lines(note: tuple[str, str] | None) -> str:
    """The ``skos:note`` of an inferred statement (German and English), as the end of a Turtle statement."""
    if note is None:
        return ""
    german, english = (Literal(text, lang=lang).n3() for text, lang in zip(note, ("de", "en"), strict=True))
    return f" ;\n    skos:note {german} , {english}"


def render_files(new: NewReport, text: str, sha256: str, with_naming: bool) -> dict[str, str]:
    """The Turtle of every file of the new folder, canonical, by file name."""
    evidence = find_evidence(new, text)
    title = Literal(new.title, lang="de").n3()
    support = [evidence.title_support(), evidence.date_support()]
    body: dict[str, str] = {name: "" for name in templates.FACT_FILES}
    body["report.ttl"] = templates.REPORT.substitute(
        report=new.report.n3(),
        event=new.event.n3(),
        text=new.text.n3(),
        passages=iri_list(support),
        title=title,
        path=(Literal(f"data/workshops/{new.folder}/source.txt")).n3(),
        sha256=(Literal(sha256)).n3(),
        text_format=TEXT_FORMAT,
        text_language=TEXT_LANGUAGE,
    )
    body["event.ttl"] = templates.EVENT.substitute(event=new.event.n3(), passages=iri_list(support))
    if with_naming:
        body["event.ttl"] += "\n" + templates.EVENT_NAMING.substitute(
            event=new.event.n3(),
            title=title,
            date=(Literal(new.date.isoformat(), datatype=XSD.date)).n3(),
            series=SERIES.n3(),
        )
    body["provenance.ttl"] = "\n".join(
        templates.STATEMENT.substitute(
            statement=statement_iri(new.key, fact.subject, fact.predicate, fact.object).n3(),
            subject=fact.subject.n3(),
            predicate=fact.predicate.n3(),
            object=fact.object.n3(),
            passages=iri_list(fact.passages),
            kind="sld:Stated" if fact.note is None else "sld:Inferred",
            note=note_lines(fact.note),
        )
        for fact in facts_of(new, evidence, with_naming)
    )
    files = {
        name: canonicalize_turtle(templates.header(name) + ("\n" + content if content else ""), name) for name, content in body.items()
    }
    # passages.ttl in the very layout `sldkg anchor` writes, so anchoring later changes nothing
    files["passages.ttl"] = canonicalize_turtle(render(evidence.passages), "passages.ttl")
    return files


# --- the command ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaffold:
    """What :func:`scaffold` wrote."""

    folder: Path
    files: list[Path]
    event: URIRef
    report: URIRef
    event_named_elsewhere: bool


def scaffold(data: Path, new: NewReport) -> Scaffold:
    """Write the folder of ``new`` below ``data/workshops/``; nothing else is touched.

    The files are rendered first and written into a temporary sibling folder that is renamed into
    place, so a failure leaves no half-made report behind.
    """
    raw = new.source.read_bytes()
    named_elsewhere = event_already_named(data, new.event)
    files = render_files(new, raw.decode("utf-8"), hashlib.sha256(raw).hexdigest(), with_naming=not named_elsewhere)
    target = data / "workshops" / new.folder
    staging = data / "workshops" / f".{new.folder}.new"
    staging.mkdir()
    try:
        shutil.copyfile(new.source, staging / "source.txt")
        for name, content in files.items():
            (staging / name).write_text(content, encoding="utf-8", newline="\n")
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = [target / "source.txt", *(target / name for name in files)]
    return Scaffold(folder=target, files=written, event=new.event, report=new.report, event_named_elsewhere=named_elsewhere)


__all__ = ["NewReport", "NewReportError", "Scaffold", "checked", "scaffold"]
