"""The interface in German and English: the catalogue covers every template string, the language
follows ``lang=``, the cookie and ``Accept-Language``, and answers say which language they are in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from sldkg.web.i18n import chosen_language

WEB = Path(__file__).resolve().parents[1] / "server" / "sldkg" / "web"
CATALOGUE = WEB / "translations" / "de" / "LC_MESSAGES"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def interface_strings() -> set[str]:
    """Every msgid of the templates and the web modules, extracted the way ``pybabel extract`` does."""
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map=method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def german_catalogue():
    with (CATALOGUE / "messages.po").open("rb") as f:
        return read_po(f, locale="de")


def test_every_interface_string_has_a_german_translation():
    strings = interface_strings()
    assert len(strings) > 100  # the extraction really read the templates
    catalogue = german_catalogue()

    def translated(msgid: str) -> bool:
        message = catalogue.get(msgid)
        if message is None or message.fuzzy:
            return False
        forms = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        return all(forms)

    missing = sorted(s for s in strings if not translated(s))
    assert missing == [], "no German translation in messages.po for: " + "; ".join(missing)


def test_compiled_catalogue_matches_the_po_file():
    """messages.mo is committed; it must be recompiled (pybabel compile) whenever messages.po changes."""

    def plain(messages):
        return {
            m.id if isinstance(m.id, str) else m.id[0]: m.string if isinstance(m.string, str) else tuple(m.string) for m in messages if m.id
        }

    po = plain(german_catalogue())
    with (CATALOGUE / "messages.mo").open("rb") as f:
        mo = plain(read_mo(f))
    assert mo == po


def test_no_untranslated_english_left_in_the_german_home_page(client):
    html = client.get("/?lang=de", headers={"Accept": BROWSER}).get_data(as_text=True)
    for english in ("Skip to content", "Workshops of the series", "Questions to start with", "did not take part", "Canned queries"):
        assert english not in html


@pytest.mark.parametrize(
    ("param", "cookie", "accept", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "de", "de"),
        (None, None, "en", "en"),
        (None, "de", "en", "de"),
        ("en", "de", "de", "en"),
        ("de", None, None, "de"),
        ("fr", "xx", None, "en"),  # unknown values are ignored
    ],
)
def test_language_choice_order(param, cookie, accept, expected):
    assert chosen_language(param, cookie, accept) == expected


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("accept_language", "lang", "heading"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "de", "Wissensgraph Stadt.Land.Digital"),
        ("de-AT", "de", "Wissensgraph Stadt.Land.Digital"),
        ("en-GB,en;q=0.8", "en", "Stadt.Land.Digital knowledge graph"),
        ("fr-FR,fr;q=0.9", "en", "Stadt.Land.Digital knowledge graph"),
        (None, "en", "Stadt.Land.Digital knowledge graph"),
    ],
)
def test_accept_language_picks_the_interface_language(app, accept_language, lang, heading):
    headers = {"Accept": BROWSER} | ({"Accept-Language": accept_language} if accept_language else {})
    response = app.test_client().get("/", headers=headers)
    html = response.get_data(as_text=True)
    assert response.headers["Content-Language"] == lang
    assert html_lang(html) == lang
    assert f"<h1>{heading}</h1>" in html
    vary = {v.strip() for v in response.headers["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary


def test_the_switch_sets_a_cookie_that_sticks(app):
    client = app.test_client()
    first = client.get("/?lang=de", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert first.headers["Content-Language"] == "de"
    assert "lang=de" in first.headers["Set-Cookie"]
    later = client.get("/dataset", headers={"Accept": BROWSER, "Accept-Language": "en"})
    assert later.headers["Content-Language"] == "de" and html_lang(later.get_data(as_text=True)) == "de"
    back = client.get("/dataset?lang=en", headers={"Accept": BROWSER})
    assert back.headers["Content-Language"] == "en"


def test_the_switch_links_to_the_same_page_in_the_other_language(app):
    html = app.test_client().get("/search?q=bayern", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="/search?q=bayern&amp;lang=de"' in html
    assert '<strong aria-current="true">English</strong>' in html


@pytest.mark.parametrize(("lang", "title"), [("de", "Bayern"), ("en", "Bavaria")])
def test_data_labels_follow_the_interface_language(app, lang, title):
    html = app.test_client().get(f"/id/land/DE-BY?format=html&lang={lang}").get_data(as_text=True)
    assert re.search(rf"<h1 lang=\"{lang}\">{title}</h1>", html)


def test_a_label_missing_in_the_interface_language_falls_back_to_the_other(app):
    # the report's own headline exists only in German; the English page shows it, marked as German
    html = app.test_client().get("/id/report/blw-2020-11-03?format=html&lang=en").get_data(as_text=True)
    assert '<span lang="de">Stand: November 2020</span>' in html


def test_resource_page_etag_differs_by_language(app):
    client = app.test_client()
    de = client.get("/id/land/DE-BY?format=html&lang=de")
    en = client.get("/id/land/DE-BY?format=html&lang=en")
    assert de.headers["ETag"] != en.headers["ETag"]


def test_an_error_page_for_people_speaks_the_interface_language(client):
    """The heading and the way home follow the interface language; the API's message stays English."""
    german = client.get("/id/land/DE-XX?lang=de", headers={"Accept": "text/html"})
    assert german.status_code == 404 and german.headers["Content-Language"] == "de"
    page = german.get_data(as_text=True)
    assert '<html lang="de">' in page and "<h1>Fehler 404</h1>" in page and ">Startseite</a>" in page
    assert '<p lang="en">' in page
    english = client.get("/id/land/DE-XX?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<html lang="en">' in english and "<h1>Error 404</h1>" in english and ">Home page</a>" in english


def test_the_note_of_an_inferred_value_follows_the_interface_language(client):
    """The Beteiligungsportal is placed in Sachsen from the context (issue 9): its note is in both languages."""
    german = client.get("/id/initiative/beteiligungsportal-sachsen?lang=de", headers={"Accept": "text/html"}).get_data(as_text=True)
    english = client.get("/id/initiative/beteiligungsportal-sachsen?lang=en", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<small class="inferred">erschlossen: Der Satz nennt kein Land' in german
    assert '<small class="inferred">inferred: The sentence names no Land' in english
