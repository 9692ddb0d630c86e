"""The pages in a real browser: home, a resource with its provenance passage, a canned query
with table and chart, and a query typed into the YASGUI query UI. No page may log a
Content-Security-Policy violation or a script error.

The browser is Debian's ``chromium`` with ``chromium-driver``, driven by Selenium: the driver path
is given (Selenium Manager never runs, nothing is downloaded), headless, a fresh profile, no
background networking. A missing browser is a failure: run ``bash tests/browser/ensure-chromium.sh``
(``make test`` does). (The fixture lives here, not in a ``conftest.py``: a second module named
``conftest`` would shadow ``tests/conftest.py`` for ``from conftest import LiveServer``.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from server.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: run 'bash tests/browser/ensure-chromium.sh'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture()
def page(browser, live_server):
    browser.get_log("browser")  # start each test with an empty console

    def open_(path: str):
        browser.get(live_server.url + path.lstrip("/"))
        return browser

    yield open_
    assert console_errors(browser) == []


def test_home_page_renders_with_figures_and_navigation(page):
    browser = page("/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Stadt.Land.Digital knowledge graph"
    assert int(browser.find_element(By.CSS_SELECTOR, "strong.triples").text) > 1000
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert {"Query UI", "Canned queries", "Dumps", "Ontology"} <= set(nav)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.counts tbody tr")
    assert len(rows) > 5


def test_resource_page_shows_its_provenance_passage_highlighted(page):
    browser = page("/id/person/blw-2020-11-03/thomas-jarzombek")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thomas Jarzombek"
    marks = browser.find_elements(By.CSS_SELECTOR, "section.provenance blockquote mark")
    assert marks and all(m.is_displayed() for m in marks)
    source = (REPO_ROOT / "data/workshops/blw6-2020-11-03/source.txt").read_text(encoding="utf-8")
    flat = " ".join(source.split())  # the browser collapses white space (tabs, line breaks)
    assert all(m.text and " ".join(m.text.split()) in flat for m in marks)
    # the marked span is shown in its paragraph (more text around it)
    quote = marks[0].find_element(By.XPATH, "./ancestor::blockquote")
    assert len(quote.text) > len(marks[0].text)
    # the highlight is visibly different from the paragraph
    assert marks[0].value_of_css_property("background-color") != quote.value_of_css_property("background-color")


def test_canned_query_page_renders_table_and_chart(page):
    browser = page("/queries/counts-per-land")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert len(rows) == 16
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.bar-chart rect.bar")
    assert len(bars) == 16
    widths = [float(b.get_attribute("width")) for b in bars]
    assert max(widths) > 0 and widths == sorted(widths, reverse=True)  # ordered like the table (most first)
    chart = browser.find_element(By.CSS_SELECTOR, "svg.bar-chart")
    assert chart.size["width"] > 300 and chart.size["height"] > 200


def test_agenda_page_renders_a_timeline(page):
    browser = page("/queries/agenda")
    events = browser.find_elements(By.CSS_SELECTOR, "svg.timeline g.event")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert len(events) == len(rows) > 5


def test_a_query_typed_into_the_query_ui_returns_results(page):
    browser = page("/sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .CodeMirror")))
    # the canned queries are there as tabs
    tab_names = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#yasgui .tabsList .tab")]
    assert any("agenda" in name.lower() for name in tab_names), tab_names
    # type into the editor of the active tab
    editor = [e for e in browser.find_elements(By.CSS_SELECTOR, "#yasgui .CodeMirror") if e.is_displayed()][0]
    editor.click()
    area = editor.find_element(By.CSS_SELECTOR, "textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        'SELECT ?name WHERE { ?land a <https://w3id.org/sldkg/ontology#Land> ; skos:prefLabel ?name FILTER(LANG(?name) = "de") } ORDER BY ?name'
    )
    typed = browser.execute_script("return window.sldkgYasgui.getTab().getYasqe().getValue()")
    assert "sldkg/ontology#Land" in typed
    [b for b in browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton") if b.is_displayed()][0].click()
    wait.until(lambda b: "Thüringen" in " ".join(e.text for e in b.find_elements(By.CSS_SELECTOR, "#yasgui .yasr")))
    cells = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasr td") if e.is_displayed()]
    assert "Bayern" in " ".join(cells) and "Baden-Württemberg" in " ".join(cells)


def test_the_list_of_canned_queries_leads_to_their_pages(page):
    browser = page("/queries")
    links = browser.find_elements(By.CSS_SELECTOR, "article.canned h2 a")
    assert len(links) >= 15
    target = next(a for a in links if a.get_attribute("href").split("/queries/")[1].startswith("counts-per-land"))
    target.click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.results")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Number of initiatives per Land"
