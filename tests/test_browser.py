"""The web preview and screenshots in a real browser: Debian's Chromium driven by Playwright."""

import http.client
import re
import shutil
import struct
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from PIL import Image

from rameau_cli import compat
from rameau_cli.pipeline import BuildOptions
from rameau_cli.preview.screenshots import POPUP_FEATURES, launch_browser
from rameau_cli.preview.server import PreviewServer
from rameau_cli.project.config import Source

from helpers import (
    LOGO_COLOUR,
    camera_files,
    checked,
    content_project,
    copy_example,
    invoke,
    missing_tool,
    theme_colour,
    with_photos,
)

SEGMENTS = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
HOSTILE_FEED = Path(__file__).parent / "fixtures" / "hostile" / "scripts-in-content.xml"


@pytest.fixture(scope="module")
def shared_page(browser):
    page = browser.new_page()
    yield page
    page.close()


@pytest.fixture
def tab(shared_page):
    """The module's one page (a page costs Chromium more CPU than most tests spend in it), for
    one test as a new page would be: 1280×720, light, no route; after the test, its routes are
    gone and it is on about:blank (a preview's event stream closed; a page whose content the test
    set, or that went there itself, is on it already)."""
    shared_page.set_viewport_size({"width": 1280, "height": 720})
    shared_page.emulate_media(color_scheme="light")
    yield shared_page
    from playwright.sync_api import Error  # noqa: PLC0415 (Playwright is loaded by the worker that opens pages)

    shared_page.unroute_all(behavior="ignoreErrors")
    for attempt in range(3):
        if shared_page.url == "about:blank":
            break
        try:
            shared_page.goto("about:blank")
        except Error as exc:  # a live preview reloading itself for a last build interrupts the trip
            if "interrupted by another navigation" not in str(exc) or attempt == 2:
                raise


@pytest.fixture
def preview(example):
    """A preview of a project the test may edit."""
    server = PreviewServer(example, BuildOptions(), port=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One preview for the module's tests that only read it."""

    server = PreviewServer(copy_example(tmp_path_factory.mktemp("served") / "project"), BuildOptions(), port=0).start()
    yield server
    server.stop()


@pytest.fixture
def served_tab(served, shared_page):
    """The module's page for a test that opens the module's preview (and only reads it): as `tab`,
    but left on that preview after the test, whose event stream goes with the next test's first
    navigation (a trip to about:blank costs Chromium more than most checks here)."""
    shared_page.set_viewport_size({"width": 1280, "height": 720})
    shared_page.emulate_media(color_scheme="light")
    return shared_page


def test_index_names_every_segment(served, served_tab):
    page = served_tab
    page.goto(served.url)
    links = page.locator("#segments a").all_inner_texts()
    assert links == ["La quotidienne", "L'hebdo entreprise, fondation, partenaire", "L'hebdo association", "L'hebdo grand public"]


@pytest.mark.parametrize("segment", SEGMENTS)
def test_each_segment_at_desktop_and_phone_widths_without_overflow(served, segment, served_tab):
    page = served_tab
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(f"{served.url}segment/{segment}")
    assert page.locator(".inbox .subject").inner_text()
    assert "Lire la suite" in page.locator("pre.text").inner_text()
    frames = {frame.name or frame.url: frame for frame in page.frames if frame.url.endswith("email.html")}
    assert len(page.locator("iframe").all()) == 2
    phone = page.locator(".phone iframe").content_frame
    desktop = page.locator(".desktop iframe").content_frame
    assert phone.locator("text=Lire la suite").first.is_visible()
    phone_width = phone.locator("html").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert phone_width[0] <= 375 and phone_width[0] <= phone_width[1]
    desktop_width = desktop.locator("html").evaluate("e => e.clientWidth")
    assert desktop_width >= 600
    del frames


def test_the_preview_itself_works_on_a_phone_without_sideways_scrolling(browser, served):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for path in ("", "segment/hebdo-entreprise"):
        page.goto(f"{served.url}{path}")
        page.wait_for_load_state("load")
        # A mobile browser widens its layout viewport to the page's width (702 px here once).
        assert page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]") == [390, 390], path
    phone, desktop_box = page.locator(".phone iframe").bounding_box(), page.locator(".frame.desktop").bounding_box()
    assert phone and desktop_box and phone["y"] < desktop_box["y"]  # the phone's view first on a phone
    assert phone["x"] >= 0 and phone["x"] + phone["width"] <= 390
    desktop = page.locator(".frame.desktop")
    assert desktop.evaluate("e => e.scrollWidth > e.clientWidth && e.clientWidth <= 390")  # scrolls in its own box
    assert page.locator(".desktop iframe").evaluate("e => e.offsetWidth") == 680
    page.close()


def test_an_edited_title_appears_without_a_manual_reload(preview, example, tab):
    page = tab
    page.goto(f"{preview.url}segment/hebdo-association")
    frame = page.locator(".desktop iframe").content_frame
    assert frame.locator("text=Accueillir de nouveaux bénévoles").first.is_visible()
    article = example / "articles" / "kit-accueil-benevoles.md"
    article.write_text(checked(article.read_text(encoding="utf-8")).replace("Accueillir de nouveaux bénévoles", "Bienvenue aux nouveaux bénévoles"),
                       encoding="utf-8")
    page.locator(".desktop iframe").content_frame.locator("text=Bienvenue aux nouveaux bénévoles").first.wait_for(timeout=60_000)


def test_a_rebuild_that_ends_before_the_page_listens_still_reloads_it(preview, example, tab):
    """The page knows the build it shows: its events may connect after the rebuild is done."""
    page = tab
    held = []
    page.route("**/events", lambda route: held.append(route))  # the page's events wait until the rebuild is over
    page.goto(f"{preview.url}segment/hebdo-association")
    for _ in range(3000):  # the page asks for its events once its script runs (given a minute at most)
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the page never asked for its events"
    version = preview.state.snapshot.version
    article = example / "articles" / "kit-accueil-benevoles.md"
    article.write_text(checked(article.read_text(encoding="utf-8")).replace("Accueillir de nouveaux bénévoles",
                                                                           "Bienvenue aux nouveaux bénévoles"), encoding="utf-8")
    while preview.state.snapshot.version == version:
        preview.state.wait_for_change(version, timeout=60)
    held[0].continue_()
    page.locator(".desktop iframe").content_frame.locator("text=Bienvenue aux nouveaux bénévoles").first.wait_for(timeout=60_000)


def test_a_build_error_shows_on_the_page_and_the_server_keeps_running(preview, example, tab):
    page = tab
    page.goto(preview.url)
    (example / "templates").mkdir()
    (example / "templates" / "card.mjml").write_text("{% for %}", encoding="utf-8")
    page.locator("#build-error").wait_for(timeout=60_000)
    assert "templates/card.mjml:1: template syntax error" in page.locator("#build-error").inner_text()
    (example / "templates" / "card.mjml").unlink()
    page.locator("#build-error").wait_for(state="detached", timeout=60_000)
    # The error goes with the reload that brings the good build: its links come as it loads.
    from playwright.sync_api import expect  # noqa: PLC0415 (Playwright is loaded by the worker that opens pages)

    expect(page.locator("#segments a")).to_have_count(4, timeout=60_000)


def test_content_from_a_feed_runs_no_script(example, tab):
    options = BuildOptions(sources=(Source("feed", str(HOSTILE_FEED)),), week="2026-W48")
    server = PreviewServer(example, options, port=0).start()
    page = tab
    dialogs, errors = [], []

    def dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    def error(error):
        errors.append(str(error))

    page.on("dialog", dialog)
    page.on("pageerror", error)
    try:
        page.goto(f"{server.url}segment/quotidienne")
        frame = page.locator(".desktop iframe").content_frame
        assert frame.locator("text=Titre sur deux lignes").first.is_visible()
        handler = frame.locator("text=Clic").first  # the paragraph whose onclick the sanitizer dropped
        assert handler.count() == 1
        handler.click()
        frame.locator("text=ici").first.click()  # a javascript: link, made a plain word
        time.sleep(0.3)
        assert dialogs == [] and errors == []
        assert frame.locator("script").count() == 0
    finally:
        page.remove_listener("dialog", dialog)
        page.remove_listener("pageerror", error)
        page.goto("about:blank")
        server.stop()


def request(url: str, path: str, host: str | None = None) -> tuple[int, str]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_host=host is not None)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8025", "127.0.0.1.evil.example", "localhost.evil.example", ""])
def test_foreign_host_headers_are_refused(served, host):
    status, body = request(served.url, "/", host=host)
    assert status == 403 and "Forbidden" in body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_host_headers_are_served(served, host):
    port = served.url.rsplit(":", 1)[1].strip("/")
    assert request(served.url, "/", host=f"{host}:{port}")[0] == 200


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/segment/../../etc/passwd", "//etc/passwd", "/segment/%2e%2e/rameau.yaml",
                                  "/rameau.yaml", "/articles/kit-accueil-benevoles.md", "/segment/quotidienne/../../../etc/passwd",
                                  "/segment/quotidienne/index.html", "/segment/QUOTIDIENNE"])
def test_no_file_of_the_disk_is_served(served, path):
    status, body = request(served.url, path)
    assert status == 404
    assert "root:" not in body and "newsletter:" not in body


def test_the_server_listens_on_loopback_only(served):
    assert served.httpd.server_address[0] == "127.0.0.1"


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_browser_is_launched_with_playwrights_disabled_features_and_without_the_address_bars_popup(playwright,
                                                                                                       monkeypatch):
    """Chromium keeps only the last --disable-features it is given: the one rameau adds (the
    address bar's popup, some 0.8 s of CPU a window) must repeat every feature Playwright
    disables, read from the installed Playwright. Read here from what a whole Chromium (not its
    headless shell, which has no address bar and no chrome://version) says it was given, so a
    Playwright that lists them elsewhere fails this test rather than a screenshot."""
    whole = [found for found in compat.installed_browsers() if Path(found).stem not in compat.HEADLESS_SHELL_NAMES]
    if not whole:
        missing_tool("no Chrome, Chromium or Edge beside the headless shell (.ci/run installs Debian's chromium)")
    monkeypatch.setenv("RAMEAU_CHROMIUM", whole[0])
    browser = launch_browser(playwright)
    try:
        tab = browser.new_page()
        tab.goto("chrome://version")
        shown = tab.inner_text("#command_line")
    finally:
        browser.close()
    given = [value.split(",") for value in re.findall(r"--disable-features=(\S+)", shown)]
    playwrights, last = given[0], given[-1]
    assert len(given) == 2 and len(playwrights) > 5, given
    assert set(playwrights) <= set(last) and set(POPUP_FEATURES) <= set(last), given


def test_screenshots_at_both_widths_show_the_images_from_disk(example, images, tmp_path, own_playwright):
    """Without output.public_url too: the screenshots show the images as they will be sent; named
    after each segment asked and `desktop` (800 px) or `phone` (375 px) when no width is given."""

    with_photos(example, images)
    config = example / "rameau.yaml"
    config.write_text(re.sub(r"  public_url: .*\n", "", config.read_text(encoding="utf-8")), encoding="utf-8")
    shown = ["hebdo-association", "hebdo-grand-public"]
    with own_playwright():  # the command starts its own Playwright and Chromium, as a user's run does
        result = invoke("preview", "--offline", "--screenshot", str(tmp_path / "shots"), *(f"--segment={s}" for s in shown),
                        cwd=example)
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == sorted(f"{s}-{w}.png" for s in shown
                                                                          for w in ("desktop", "phone"))
    for segment in shown:
        for label, width in (("desktop", 800), ("phone", 375)):
            size = png_size(tmp_path / "shots" / f"{segment}-{label}.png")
            assert size[0] == width and size[1] > 1000
    shot = Image.open(tmp_path / "shots" / "hebdo-grand-public-desktop.png").convert("RGB")
    # the theme's light background without --dark (test_first_day checks the dark one with --dark)
    light = theme_colour(r'<mj-body background-color="(#[0-9a-f]{6})"', "email.mjml")
    assert shot.getpixel((2, 2)) == shot.getpixel((shot.width - 3, shot.height - 3)) == light
    logo = sum(count for count, colour in shot.getcolors(1 << 24) if max(abs(a - b) for a, b in zip(colour, LOGO_COLOUR,
                                                                                                     strict=True)) < 8)
    assert logo > 20_000  # the logo is there, 552 pixels wide


def test_the_live_preview_shows_the_images_from_disk_and_serves_nothing_else(example, tab):
    # The files a third of their size (a 1333 x 1000 photo), still wider than the email shows them;
    # the screenshot test above has them at full size.
    server = PreviewServer(with_photos(example, camera_files(scale=3)), BuildOptions(), port=0).start()
    try:
        page = tab
        page.goto(f"{server.url}segment/quotidienne")
        frame = page.locator(".desktop iframe").content_frame
        frame.locator("img").first.wait_for()
        sizes = frame.locator("img[src^='/assets/']").evaluate_all("images => images.map(i => i.naturalWidth)")
        assert len(sizes) >= 3 and all(width > 0 for width in sizes)
        page.goto("about:blank")
        for path in ("assets/../rameau.yaml", "assets/%2e%2e/rameau.yaml", "assets/0123456789abcdef-logo.png",
                     "articles/logo.png", "assets/logo.png"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(server.url + path, timeout=5)
            assert refused.value.code == 404, path
    finally:
        server.stop()


LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
WIDTHS = (320, 375, 600, 800)


@pytest.fixture(scope="module")
def hostile_emails(tmp_path_factory):
    """The example with the content articles and a corpus of hostile layouts (a 200-character code
    line, a 300-character URL, a 12-column table, a 3000 px image, a 70-letter word, Hebrew),
    built in a segment that shows articles whole and in one that shows summaries."""

    project = content_project(tmp_path_factory.mktemp("layouts") / "project")
    shutil.copy(LAYOUTS / "mise-en-page-hostile.md", project / "articles")
    assert invoke("build-issue", cwd=project).code == 0
    folder = project / "dist" / "2026-W48"
    return {segment: (folder / segment / "index.html").read_text(encoding="utf-8") for segment in SEGMENTS}


class MailClient:
    """A page that runs no script and fetches nothing, as a mail client shows an email; the
    emails are set in it one after another. The tests only read the page: an email already in
    it is laid out again at the test's size and colour scheme, not loaded again."""

    def __init__(self, browser) -> None:
        self.page = browser.new_page(viewport={"width": WIDTHS[0], "height": 800}, java_script_enabled=False)
        self.page.route("**/*", lambda route: route.abort())
        self.shown: str | None = None

    def show(self, html: str, width: int, height: int, scheme: str):
        self.page.set_viewport_size({"width": width, "height": height})
        self.page.emulate_media(color_scheme=scheme)
        if html != self.shown:
            self.page.set_content(html, wait_until="load")
            self.shown = html
        return self.page


@pytest.fixture(scope="module")
def mail_client(browser):
    client = MailClient(browser)
    yield client
    client.page.close()


@pytest.mark.parametrize("segment", ["hebdo-association", "quotidienne"])
def test_no_email_is_ever_wider_than_the_window(mail_client, hostile_emails, segment):
    html = hostile_emails[segment]
    assert "Mise en page hostile" in html
    page = mail_client.show(html, WIDTHS[0], 800, "light")
    for width in WIDTHS:  # the same page, laid out again at each width and colour scheme
        page.set_viewport_size({"width": width, "height": 800})
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            cut = page.evaluate(CUT_WORDS) if width == WIDTHS[0] and scheme == "light" else []
            assert scroll <= width, f"{segment} is {scroll} px wide in a {width} px window ({scheme})"
            assert not cut, f"words of a table cut across lines at {width} px: {cut[:5]}"


# The words of table cells drawn on more than one line (a table scrolls in its box instead).
CUT_WORDS = """() => [...document.querySelectorAll('td[style*="border-bottom"], th[scope]')].flatMap(cell => {
    const cut = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of node.data.matchAll(/[^\\s\\-\u2010\\/]+/g)) {  // a break at a hyphen or slash is fine
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) cut.push(word[0]);
        }
    }
    return cut;
})"""


def luminance_contrast(first, second):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    def luminance(rgb):
        r, g, b = (channel(v) for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_buttons_keep_their_contrast_in_the_dark(hostile_emails, mail_client):
    page = mail_client.show(hostile_emails["quotidienne"], 1280, 720, "dark")
    colours = page.evaluate("""() => [...document.querySelectorAll('td.dm-filled, td.dm-outline')].map(td => {
        const rgb = c => c.match(/\\d+/g).slice(0, 3).map(Number);
        const card = td.closest('.dm-card');
        const a = td.querySelector('a');
        return [rgb(getComputedStyle(a).color), rgb(getComputedStyle(td).backgroundColor),
                rgb(getComputedStyle(card.querySelector('table')).backgroundColor)]; })""")
    assert len(colours) >= 2
    for text, button, card in colours:
        assert luminance_contrast(text, button) >= 4.5
        if button != card:  # a filled button stands out from its card
            assert luminance_contrast(button, card) >= 3


def accessible_links(page):
    """Every link of the theme a screen reader offers (not those the authors wrote in their texts):
    its name and where it leads (aria-hidden ones left out)."""
    return page.evaluate("""() => [...document.querySelectorAll('a[href]')]
        .filter(a => !a.closest('[aria-hidden="true"]') && !a.closest('.article-body, .edito'))
        .map(a => [(a.getAttribute('aria-label') || a.textContent.trim() || [...a.querySelectorAll('img')]
            .map(i => i.alt).join(' ')).replace(/\\s+/g, ' ').trim(), a.href])""")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page (its rules and options as axe_playwright_python's
    `Axe().run(page)` runs them), each with its id, impact and its nodes' targets: axe's script
    put in the document once (some 570 kB to compile), not at each run."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("""axe.run({resultTypes: ['violations']}).then(results => results.violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => ({target: n.target}))})))""")


@pytest.mark.parametrize("segment", ["quotidienne", "hebdo-association"])
def test_assistive_technology_meets_one_link_per_card_and_no_serious_problem(hostile_emails, segment, tab):
    page = tab
    page.route("**/*", lambda route: route.abort())
    page.set_content(hostile_emails[segment], wait_until="load")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        links = accessible_links(page)
        names = {}
        for name, href in links:
            assert name, f"a link without a name, to {href}"
            names.setdefault(name, set()).add(href)
        repeated = {name: hrefs for name, hrefs in names.items() if len(hrefs) > 1}
        assert repeated == {}, "links read alike but lead to different places"
        articles = [a for a in links if "/articles/" in a[1]]
        assert len(articles) == len({href for _, href in articles}), "one link per article for a screen reader"
        headings = page.evaluate("[...document.querySelectorAll('.article-title h1, .article-title h2, .article-title h3')]"
                                 ".map(h => h.tagName)")
        assert set(headings) == {"H2"}, "every article's title at the same level"
        violations = axe_violations(page)
        serious = [(v["id"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{scheme}: {serious}"
