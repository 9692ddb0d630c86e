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
from repo_paths import REPO_ROOT
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

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


def test_home_page_renders_with_navigation_and_the_dataset_page_with_figures(page):
    browser = page("/?lang=en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Stadt.Land.Digital knowledge graph"
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "header nav a")]
    assert {"Query UI", "Canned queries", "Dumps", "Ontology", "Dataset", "Search", "Initiatives"} <= set(nav)
    browser = page("/dataset")
    assert int(browser.find_element(By.CSS_SELECTOR, "strong.triples").text) > 1000
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
    editor = next(e for e in browser.find_elements(By.CSS_SELECTOR, "#yasgui .CodeMirror") if e.is_displayed())
    editor.click()
    area = editor.find_element(By.CSS_SELECTOR, "textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name WHERE { ?land a <https://w3id.org/sldkg/ontology#Land> ;"
        ' skos:prefLabel ?name FILTER(LANG(?name) = "de") } ORDER BY ?name'
    )
    typed = browser.execute_script("return window.sldkgYasgui.getTab().getYasqe().getValue()")
    assert "sldkg/ontology#Land" in typed
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton") if b.is_displayed()).click()
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


# --- languages, map, search, facets, provenance marker --------------------------------------------


def test_the_language_switch_changes_the_page_and_sticks(page):
    browser = page("/?lang=en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.find_element(By.CSS_SELECTOR, "a.lang-switch[hreflang=de]").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Wissensgraph Stadt.Land.Digital"
    # the choice is kept in a cookie: another page without lang= is German too
    browser = page("/dataset")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Der Datensatz"
    browser.find_element(By.CSS_SELECTOR, "a.lang-switch[hreflang=en]").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.TAG_NAME, "h1").text == "The dataset")


def test_every_land_on_the_map_links_to_its_page(page):
    browser = page("/?lang=en")
    regions = browser.find_elements(By.CSS_SELECTOR, "svg.lander-map a.land")
    assert len(regions) == 16
    for region in regions:
        code = region.get_attribute("data-code")
        assert region.get_dom_attribute("href").endswith("/id/land/" + code)
        assert region.get_attribute("aria-label").split(":")[0]
        assert region.find_element(By.TAG_NAME, "path").size["width"] > 0  # drawn, not an empty shape
    # a click on Thuringia's area (its middle) opens Thuringia's page
    thuringia = browser.find_element(By.CSS_SELECTOR, "svg.lander-map a.land[data-code=DE-TH] path")
    thuringia.click()
    WebDriverWait(browser, 10).until(EC.url_contains("/id/land/DE-TH"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thuringia"


def test_search_from_the_home_page_ignores_accents(page):
    browser = page("/?lang=de")
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("thuringen", Keys.ENTER)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "ol.results li a")))
    first = browser.find_element(By.CSS_SELECTOR, "ol.results li a")
    assert first.text == "Thüringen"
    first.click()
    WebDriverWait(browser, 10).until(EC.url_contains("/id/land/DE-TH"))


def test_a_facet_click_filters_the_initiatives_and_lives_in_the_url(page):
    browser = page("/initiatives?lang=en")
    total = len(browser.find_elements(By.CSS_SELECTOR, "table.initiatives tbody tr"))
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, "section.facet[data-facet=land] a") if a.text == "Saxony")
    count = int(link.find_element(By.XPATH, "following-sibling::span[@class='n']").text)
    link.click()
    WebDriverWait(browser, 10).until(EC.url_contains("land="))
    assert "DE-SN" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "table.initiatives tbody tr")
    assert len(rows) == count < total
    assert all("Saxony" in row.find_elements(By.TAG_NAME, "td")[1].text for row in rows)
    chosen = browser.find_element(By.CSS_SELECTOR, "section.facet[data-facet=land] a[aria-current=true]")
    assert chosen.text == "Saxony"


def test_result_tables_sort_by_a_header_click(page):
    browser = page("/queries/counts-per-land?lang=en")
    header = browser.find_elements(By.CSS_SELECTOR, "table.results thead th button.sort")[0]
    header.click()
    names = [r.find_elements(By.TAG_NAME, "td")[0].text for r in browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")]
    assert names == sorted(names, key=str.casefold) and len(names) == 16
    assert browser.find_elements(By.CSS_SELECTOR, "table.results thead th")[0].get_attribute("aria-sort") == "ascending"


def test_the_provenance_marker_opens_its_passage(page):
    browser = page("/id/initiative/amt24?lang=en")
    marker = browser.find_element(By.CSS_SELECTOR, "section.at-a-glance a.marker-link")
    marker.click()
    WebDriverWait(browser, 10).until(EC.url_contains("#passage-1"))
    target = browser.find_element(By.CSS_SELECTOR, "figure.passage:target")
    assert target.find_element(By.TAG_NAME, "mark").is_displayed()
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top < browser.execute_script("return window.innerHeight")


def test_a_values_own_source_marker_opens_the_passage_of_its_statement(page):
    """Per-statement provenance (issue 9): the marker beside one value jumps to that value's passage."""
    browser = page("/id/initiative/amt24?lang=de")
    marker = browser.find_element(By.CSS_SELECTOR, "td a.source-marker.stated")
    assert marker.get_attribute("aria-label").startswith("Quelle: Textstelle ")
    number = marker.get_attribute("href").rsplit("#passage-", 1)[1]
    marker.click()
    WebDriverWait(browser, 10).until(EC.url_contains(f"#passage-{number}"))
    target = browser.find_element(By.CSS_SELECTOR, "figure.passage:target")
    assert target.get_attribute("id") == f"passage-{number}" and target.is_displayed()


# --- quality bar: accessibility (axe-core) and no sideways scrolling -------------------------------

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
CHECKED_PAGES = (
    "/",
    "/search?q=thuringen",
    "/id/land/DE-TH",
    "/id/initiative/amt24",
    "/queries/counts-per-land",
    "/sparql",
    "/dataset",
    "/initiatives",
)


def axe_violations(browser) -> list[str]:
    if not browser.execute_script("return typeof window.axe !== 'undefined'"):
        browser.execute_script(AXE.read_text(encoding="utf-8"))  # DevTools evaluation: not subject to the page's CSP
    assert browser.execute_script("return axe.version") == AXE_VERSION
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", CHECKED_PAGES)
def test_no_serious_accessibility_violations(page, path, lang):
    browser = page(path + ("&" if "?" in path else "?") + "lang=" + lang)
    if path == "/sparql":
        WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#yasgui .CodeMirror")))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert axe_violations(browser) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_scrolls_sideways(page, width):
    browser = page("/")
    browser.set_window_size(width, 900)
    try:
        wide = []
        for path in (*CHECKED_PAGES, "/queries/initiatives-by-land", "/queries/agenda", "/ontology", "/dumps/", "/queries"):
            browser.get(browser.current_url.split("/", 3)[0] + "//" + browser.current_url.split("/", 3)[2] + path)
            inner = browser.execute_script("return window.innerWidth")
            scroll = browser.execute_script("return document.documentElement.scrollWidth")
            if scroll > inner:
                wide.append(f"{path}: {scroll} > {inner}")
        assert inner <= width
        assert wide == []
    finally:
        browser.set_window_size(1280, 1000)
