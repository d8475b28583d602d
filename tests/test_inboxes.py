"""The email holds in every inbox: Outlook for Windows (read as it reads it), Apple Mail and iOS,
Outlook.com, dark mode, right-to-left text, a logo; in a real Chromium, on content that has
broken emails before (a 9-column table, a 130-character URL in code, Arabic, a video, a `www.`
address, "40 000 $", headings that skip a level), in summary and `body: full` segments."""

from __future__ import annotations

import html as html_lib
import io
import itertools
import json
import re
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from rameau_cli.check.rules import CheckedEmail, check_email
from rameau_cli.compose.profiles import profile_for
from rameau_cli.content.blocks import Heading
from rameau_cli.content.language import typography
from rameau_cli.content.markup import markdown_to_html
from rameau_cli.content.read_html import Reading, read_blocks
from rameau_cli.project.config import contrast
from rameau_cli.render.body_html import blocks_html
from rameau_cli.render.outlook import as_outlook_reads, outlook_reads
from rameau_cli.render.palette import DARK_CARD, DARK_PAGE, dark_accent
from rameau_cli.send.review import _fill

from helpers import FIXTURES, LocalServer, Reply, add_body, checked, content_project, copy_example, invoke, set_public_url

NAME = "Rameau des alliances"
SEGMENTS = ["quotidienne", "hebdo-entreprise", "hebdo-association", "hebdo-grand-public"]
INK = (24, 32, 40)  # a dark ink, as most logos are drawn


def dark_ink_logo(size: tuple[int, int] = (300, 90)) -> bytes:
    """A logo of dark ink on a transparent background."""

    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((6, 6, 84, 84), fill=(*INK, 255))
    draw.rectangle((100, 20, 290, 40), fill=(*INK, 255))
    draw.rectangle((100, 52, 240, 70), fill=(*INK, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_project(target: Path, logo_dark: bool = False, content: bool = True) -> Path:
    """The content that has broken emails before (without `content`: the example's own
    articles) with a public URL and a logo of dark ink (and, with `logo_dark`, one for the dark)."""
    project = content_project(target) if content else copy_example(target)
    for path in [*(FIXTURES / "inboxes").glob("*.md"), *(FIXTURES / "layouts").glob("*.md")] if content else []:
        shutil.copy(path, project / "articles" / path.name)
    set_public_url(project)
    (project / "logo.png").write_bytes(dark_ink_logo())
    keys = "  logo: logo.png\n"
    if logo_dark:
        light = Image.new("RGBA", (300, 90), (0, 0, 0, 0))
        light.paste((236, 233, 226, 255), (6, 6, 84, 84))
        light.save(project / "logo-dark.png")
        keys += "  logo_dark: logo-dark.png\n"
    config = project / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("newsletter:\n", "newsletter:\n" + keys, 1)
                      .replace("    audiences: [association]\n    max_articles: 8\n", "    audiences: [association]\n"),
                      encoding="utf-8")
    return project


def built(project: Path) -> dict[str, str]:
    result = invoke("build-issue", cwd=project)
    assert result.code == 0, result.stderr
    folder = project / "dist" / "2026-W48"
    return {segment: (folder / segment / "index.html").read_text(encoding="utf-8") for segment in SEGMENTS}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("inboxes") / "project")


@pytest.fixture(scope="module")
def emails(project) -> dict[str, str]:
    return built(project)


@pytest.fixture(scope="module")
def findings(project, emails) -> list[dict]:
    """`rameau check --json` of the built project, run once for the tests that read it."""
    return json.loads(invoke("check", "--json", cwd=project).stdout)["findings"]


class Inbox:
    """One page in which the module's emails are opened one after another (a page costs Chromium
    more CPU than the email laid out in it): the images from disk of the project whose email is
    open served from its build, nothing else fetched. The tests only read the page: the email
    already open is laid out again at the test's width and colour scheme, not loaded again."""

    def __init__(self, browser) -> None:
        self.page = browser.new_page()
        self.project: Path | None = None
        self.shown: tuple[str, Path] | None = None
        self.page.route("**/*", self.answer)

    def answer(self, route) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        path = self.project / "dist" / "public" / "assets" / name if self.project else None
        if "/assets/" in route.request.url and path is not None and path.is_file():
            route.fulfill(path=str(path), content_type="image/png" if name.endswith(".png") else "image/jpeg")
        else:
            route.abort()


@pytest.fixture(scope="module")
def inbox(browser):
    inbox = Inbox(browser)
    yield inbox
    inbox.page.close()


def open_email(inbox: Inbox, html: str, project: Path, width: int, scheme: str = "light"):
    """The email in a page of `width` CSS pixels, in the light or dark colour scheme."""
    inbox.project = project
    page = inbox.page
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    if inbox.shown != (html, project):
        page.set_content(html, wait_until="load")
        inbox.shown = (html, project)
    return page


# --- Outlook for Windows --------------------------------------------------------------------------


@pytest.mark.parametrize("condition, taken", [
    ("mso", True), ("!mso", False), ("mso | IE", True), ("!mso | IE", False), ("gte mso 9", True),
    ("lte mso 11", False), ("IE", False), ("(mso)&(gte mso 12)", True),
])
def test_outlook_takes_its_conditional_comments_as_it_does(condition, taken):
    assert outlook_reads(condition) is taken


def test_the_outlook_reading_keeps_its_parts_drops_the_others_and_the_css_it_ignores():
    html = ('<div style="overflow-x:auto;width:0;min-width:100%;"><!--[if mso]><p>word</p><![endif]-->'
            '<!--[if !mso]><!--><p>others</p><!--<![endif]--><pre style="white-space:pre-wrap;color:red">x</pre></div>')
    read = as_outlook_reads(html)
    assert "<p>word</p>" in read and "others" not in read
    assert "overflow" not in read and "white-space" not in read and "color:red" in read and "min-width:100%" in read


@pytest.mark.parametrize("segment", SEGMENTS)
def test_read_as_outlook_reads_it_no_email_is_wider_than_600_px(inbox, emails, project, segment):
    page = open_email(inbox, as_outlook_reads(emails[segment]), project, 600)
    widest = page.evaluate("""() => Math.max(document.documentElement.scrollWidth,
        ...[...document.querySelectorAll('body *')].map(e => Math.ceil(e.getBoundingClientRect().right)))""")
    assert widest <= 600


def test_the_wide_table_and_the_long_code_line_have_an_outlook_form(emails):
    html = emails["hebdo-association"]
    outlook = as_outlook_reads(html)
    assert "<strong>Subsidies&#160;:</strong> Subsidies granted" in outlook  # "Column: value", as in the text
    assert "exports/&#8203;regions/&#8203;" in outlook  # the URL breaks after its slashes
    assert "a" * 32 + "&#8203;" + "a" * 32 in outlook  # and a name Outlook would never break, every 32
    others = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html, flags=re.S)
    assert "Subsidies&#160;:</strong>" not in others and 'role="region"' in others  # others keep the scroll box


def test_every_button_has_its_outlook_padding(emails):
    for html in emails.values():
        cells = re.findall(r'<td class="dm-(?:filled|outline)"[^>]*>', html)
        assert cells and all("mso-padding-alt:" in cell for cell in cells)


def test_check_tells_a_phone_s_width_from_outlook_s(findings):
    rules = {(f["segment"], f["rule"]) for f in findings}
    assert ("hebdo-association", "table-wide") in rules  # it scrolls on a phone
    assert not any(rule == "outlook-wide" for _, rule in rules)  # Outlook gets a form that fits


def test_check_finds_what_outlook_would_widen_in_a_template_without_fallbacks():
    cells = "".join(f"<td>c{n}</td>" for n in range(9))
    html = (f'<html><body><table role="table"><tr>{cells}</tr></table><pre>{"x" * 130}</pre>'
            '<img src="https://a.org/i.png" alt="a" width="900" height="10" /></body></html>')
    found = [f for f in check_email(CheckedEmail("s", "Subject", "p" * 50, html, "text", (), "u", 1))
             if f.rule == "outlook-wide"]
    assert len(found) == 3 and "9 columns" in found[0].message and "130 characters" in found[1].message
    wrapped = html.replace("<pre>", "<!--[if !mso]><!--><pre>").replace("</pre>", "</pre><!--<![endif]-->")
    assert len([f for f in check_email(CheckedEmail("s", "S", "p" * 50, wrapped, "t", (), "u", 1))
                if f.rule == "outlook-wide"]) == 2  # the code is not Outlook's to show


# --- Markup every client needs ------------------------------------------------------------------------


def test_apple_and_outlook_com_get_their_metas_and_rules(emails):
    for html in emails.values():
        assert '<meta name="x-apple-disable-message-reformatting" />' in html
        assert re.search(r'<meta name="format-detection" content="telephone=no[^"]*date=no[^"]*address=no', html)
        assert re.search(r"a\[x-apple-data-detectors\] \{ color: inherit !important;", html)
        assert re.search(r"\[data-ogsc\] \.dm-text p[^{]*\{ color: #ece9e2 !important; \}", html)
        assert re.search(r"\[data-ogsb\] \.dm-card[^{]*\{ background: #1c2220 !important;", html)


def test_every_image_says_its_width_and_height(emails):
    for html in emails.values():
        images = re.findall(r"<img\b[^>]*>", html)
        assert len(images) >= 2  # the logo and the articles' pictures
        for image in images:
            assert re.search(r' width="\d+"', image) and re.search(r' height="\d+"', image), image


def test_the_video_thumbnail_keeps_its_ratio(emails):
    image = re.search(r'<img src="https://img.youtube.com/vi/dQw4w9WgXcQ/hqdefault.jpg"[^>]*>', emails["hebdo-association"])
    assert image and 'width="552"' in image[0] and 'height="414"' in image[0]  # 480×360


def test_a_www_address_is_a_link_and_a_file_name_is_not(emails, project):
    html = emails["hebdo-association"]
    assert '<a href="https://www.rameau-test.org/budget/2027"' in html
    assert 'href="http://README.md"' not in html and ">README.md</a>" not in html
    text = (project / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")
    assert "https://www.rameau-test.org/budget/2027" in text


def test_a_number_keeps_its_groups_and_its_currency(emails, project):
    words = html_lib.unescape(re.sub(r"<[^>]+>", "", emails["hebdo-association"]))
    for written in ("40 000 $", "12 %", "1 250 000 €"):
        pattern = r"[\u00a0\u202f]".join(re.escape(part) for part in written.split(" "))
        assert re.search(pattern, words), written
    text = (project / "dist" / "2026-W48" / "hebdo-association" / "index.txt").read_text(encoding="utf-8")
    assert "40\u202f000\u00a0$" in text


# --- In Chromium at 800 px ----------------------------------------------------------------------------


def test_table_cells_break_words_only_when_they_cannot_fit(inbox, emails, project):
    page = open_email(inbox, emails["hebdo-association"], project, 800)
    broken = page.evaluate("""() => {
        const out = [];
        for (const cell of document.querySelectorAll('table[role=table] td, table[role=table] th')) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const match of node.textContent.matchAll(/\\p{L}{4,20}/gu)) {
                    const range = document.createRange();
                    range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
                    const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (tops.size > 1) out.push(match[0]);
                }
            }
        }
        return out; }""")
    assert broken == []


# Here, beside the other tests of the email open in the page: it is laid out again in the dark, not loaded again.
def test_dark_buttons_show_the_segment_s_accent(inbox, emails, project):
    page = open_email(inbox, emails["hebdo-association"], project, 800, "dark")
    colour = page.evaluate("() => getComputedStyle(document.querySelector('td.dm-filled')).backgroundColor")
    expected = dark_accent("#8a3b12")
    assert colour == "rgb({}, {}, {})".format(*(int(expected[i:i + 2], 16) for i in (1, 3, 5)))


@pytest.mark.parametrize("segment", ["hebdo-association", "hebdo-grand-public"])
def test_arabic_paragraphs_read_right_to_left_and_align_right(inbox, emails, project, segment):
    page = open_email(inbox, emails[segment], project, 800)
    found = page.evaluate("""() => [...document.querySelectorAll('p, li, blockquote, table[role=table] td, table[role=table] th, h2, h3')]
        .filter(e => /^[\\s\\u0600-\\u06FF]/.test(e.textContent.trim().slice(0, 1)) && e.textContent.trim())
        .map(e => { const style = getComputedStyle(e); const box = e.getBoundingClientRect();
            const range = document.createRange(); range.selectNodeContents(e);
            const first = range.getClientRects()[0];
            const edge = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
            return [e.tagName, style.direction, edge - first.right]; })""")
    assert len(found) >= (4 if segment == "hebdo-association" else 1)
    for tag, direction, gap in found:
        assert direction == "rtl" and abs(gap) <= 2, (tag, direction, gap)


def test_left_to_right_blocks_stay_as_they_were(emails):
    html = emails["hebdo-association"]
    paragraph = re.search(r'<p[^>]*>Toutes les associations employeuses\.</p>', html)[0]
    assert paragraph == '<p dir="auto" style="margin:0 0 12px;">Toutes les associations employeuses.</p>'
    assert 'border-right:3px solid' in html and 'border-left:3px solid' in html  # the Arabic quote, the French one


# Every segment, ending on the one the next tests open (the page loads each email once).
@pytest.mark.parametrize("segment", ["hebdo-grand-public", "hebdo-entreprise", "hebdo-association", "quotidienne"])
def test_heading_levels_never_skip(inbox, emails, project, segment):
    page = open_email(inbox, emails[segment], project, 800)
    levels = page.evaluate("() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels


# --- A logo, and dark mode ------------------------------------------------------------------------------


def visible_ink(inbox: Inbox, html: str, project: Path, scheme: str) -> float:
    """The contrast between the logo's ink and what is around it, as the page shows the logo
    found by its alt text (the newsletter's name)."""

    page = open_email(inbox, html, project, 800, scheme)
    logo = page.locator(f'img[alt="{NAME}"]:visible')
    assert logo.count() == 1
    assert page.evaluate(f"""() => [...document.querySelectorAll('img[alt="{NAME}"]')]
        .some(i => i.complete && i.naturalWidth > 0 && i.offsetWidth > 0)""")  # the image itself, not its alt text
    shot = Image.open(io.BytesIO(logo.screenshot())).convert("RGB")
    colours = shot.getcolors(shot.width * shot.height)
    background = max(colours)[1]
    ink = min(colours, key=lambda c: sum(c[1]))[1]  # the darkest colour shown

    def luminance(rgb):
        linear = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(background), luminance(ink)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_logo_is_in_the_header_with_the_newsletter_s_name(emails):
    for html in emails.values():
        assert re.search(rf'<img class="dm-logo dm-plate" src="https://lettres.example.org/assets/[0-9a-f]{{16}}'
                         rf'-logo.png" alt="{NAME}" width="200" height="60"', html)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_logo_shows_its_ink_in_light_and_dark_mode(inbox, emails, project, scheme):
    assert visible_ink(inbox, emails["quotidienne"], project, scheme) >= 3


def test_check_warns_of_a_logo_that_would_vanish_in_the_dark(findings):
    assert {f["segment"] for f in findings if f["rule"] == "logo-dark-contrast"} == set(SEGMENTS)


def test_logo_dark_takes_the_logo_s_place_in_the_dark(inbox, tmp_path):
    project = make_project(tmp_path / "project", logo_dark=True, content=False)  # the logos are what is looked at
    html = built(project)["quotidienne"]
    assert "dm-plate" not in re.sub(r"<style.*?</style>", "", html, flags=re.S)
    for scheme in ("light", "dark"):
        page = open_email(inbox, html, project, 800, scheme)
        shown = page.locator(f'img[alt="{NAME}"]:visible').get_attribute("class")
        assert shown == ("dm-logo-dark" if scheme == "dark" else "dm-logo-light")
    findings = json.loads(invoke("check", "--json", cwd=project).stdout)["findings"]
    assert not [f for f in findings if f["rule"] == "logo-dark-contrast"]


@pytest.mark.parametrize("accent", ["#1f5c4a", "#8a3b12", "#000000", "#2b4c7e", "#c8f0e0"])
def test_dark_buttons_take_the_accent_or_a_lighter_shade_that_reads(accent):
    shade = dark_accent(accent)
    assert contrast(shade, DARK_CARD) >= 4.5 and contrast(shade, DARK_PAGE) >= 4.5
    if contrast(accent, DARK_CARD) >= 4.5 and contrast(accent, DARK_PAGE) >= 4.5:
        assert shade == accent
    else:  # a lighter shade of it, never a darker one
        channels = [int(shade[i:i + 2], 16) for i in (1, 3, 5)]
        assert all(c >= int(accent[i:i + 2], 16) for c, i in zip(channels, (1, 3, 5), strict=True))


# --- Remote images: proportions learned once, bounded ---------------------------------------------


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def image_server():
    server = LocalServer().start()
    server.routes["/portrait.png"] = Reply(png(300, 400), content_type="image/png")
    server.routes["/wide.png"] = Reply(png(1200, 300), content_type="image/png")
    server.routes["/broken.png"] = Reply(b"not an image at all", content_type="image/png")
    server.routes["/huge.png"] = Reply(b"\x89PNG" + b"\0" * (9 * 1024 * 1024), content_type="image/png")
    yield server
    server.stop()


def remote_image_project(example: Path, server) -> Path:
    article = example / "articles" / "kit-accueil-benevoles.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"\nimage: .*", f"\nimage: {server.url}/portrait.png", text), encoding="utf-8")
    add_body(article, f"![Un graphique]({server.url}/wide.png)\n\n![Cassée]({server.url}/broken.png)\n\n"
                      f"![Trop lourde]({server.url}/huge.png)\n\n![Absente]({server.url}/missing.png)")
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace(
        "    audiences: [association]\n", "    audiences: [association]\n    body: full\n"), encoding="utf-8")
    return example


def image_tag(html: str, src: str) -> str:
    return re.search(rf'<img src="{re.escape(src)}"[^>]*>', html)[0]


def test_a_remote_image_s_proportions_are_learned_once(example, image_server):
    project = remote_image_project(example, image_server)
    html = built(project)["hebdo-association"]
    url = image_server.url
    assert 'width="300" height="400"' in image_tag(html, f"{url}/portrait.png")  # as it is, never stretched wider
    assert 'width="552" height="138"' in image_tag(html, f"{url}/wide.png")  # 1200×300, in the column
    for unreadable in ("broken", "huge", "missing"):  # a box of the stated 3:2 ratio
        assert 'width="552" height="368"' in image_tag(html, f"{url}/{unreadable}.png")
    asked = [path for _, path, _ in image_server.requests]
    assert sorted(set(asked)) == ["/broken.png", "/huge.png", "/missing.png", "/portrait.png", "/wide.png"]
    assert len(asked) == 5  # each once, whatever the segments that show it
    image_server.requests.clear()
    again = built(project)["hebdo-association"]
    assert 'width="552" height="138"' in image_tag(again, f"{url}/wide.png")
    assert sorted(path for _, path, _ in image_server.requests) == ["/broken.png", "/huge.png", "/missing.png"]


def test_an_offline_build_asks_no_image_for_its_size(example, image_server):
    project = remote_image_project(example, image_server)
    result = invoke("build-issue", "--offline", cwd=project)
    assert result.code == 0, result.stderr
    html = (project / "dist" / "2026-W48" / "hebdo-association" / "index.html").read_text(encoding="utf-8")
    assert image_server.requests == []
    assert 'width="552" height="368"' in image_tag(html, f"{image_server.url}/wide.png")


# --- The reader's choices ---------------------------------------------------------------------------


@pytest.mark.parametrize("language, reply, forwarded", [
    ("fr", "Répondez à cet e-mail", "On vous a transféré cet e-mail\u202f?"),
    ("en", "Reply to this email", "Was this email forwarded to you?"),
    ("de", "Antworten Sie auf diese E-Mail", "Wurde Ihnen diese E-Mail weitergeleitet?"),
])
def test_the_footer_invites_replies_and_forwarded_readers_in_three_languages(example, language, reply, forwarded):
    set_public_url(example)
    config = example / "rameau.yaml"
    config.write_text(checked(config.read_text(encoding="utf-8")).replace("  language: fr\n", f"  language: {language}\n")
                      .replace("    accent: \"#6b2d6b\"\n",
                               "    accent: \"#6b2d6b\"\n    forward_url: https://www.rameau-alliances.org/abonnement\n"),
                      encoding="utf-8")
    result = invoke("build-issue", "--no-history", cwd=example)
    assert result.code == 0, result.stderr
    folder = example / "dist" / "2026-W48"
    for segment, page in (("quotidienne", "https://lettres.example.org/archive/index.html"),
                          ("hebdo-grand-public", "https://www.rameau-alliances.org/abonnement")):
        html = html_lib.unescape((folder / segment / "index.html").read_text(encoding="utf-8"))
        text = (folder / segment / "index.txt").read_text(encoding="utf-8")
        for part in (html, text):
            assert reply in part and forwarded in part and page in part
        assert re.search(rf'<a href="{re.escape(page)}"[^>]*>[^<]+</a>', html)


def test_a_manage_link_where_the_emailing_tool_has_one(example):
    for profile, tag in (("mailchimp", "*|UPDATE_PROFILE|*"), ("listmonk", "{{ ManageURL }}"), ("generic", None)):
        config = example / "rameau.yaml"
        config.write_text(re.sub(r"  profile: \w+", f"  profile: {profile}", config.read_text(encoding="utf-8")),
                          encoding="utf-8")
        result = invoke("build-issue", "--no-history", cwd=example)
        assert result.code == 0, result.stderr
        html = (example / "dist" / "2026-W48" / "quotidienne" / "index.html").read_text(encoding="utf-8")
        text = (example / "dist" / "2026-W48" / "quotidienne" / "index.txt").read_text(encoding="utf-8")
        if tag is None:
            assert "Gérer votre abonnement" not in html and "Gérer votre abonnement" not in text
            continue
        assert f'<a href="{html_lib.escape(tag, quote=True)}" style="color:#5b615e;">Gérer votre abonnement</a>' in html
        assert f"Gérer votre abonnement\u00a0: {tag}" in text
        checked = invoke("check", "--json", cwd=example)
        assert "link-absolute" not in checked.stdout  # the tag is the tool's, not a broken link


def test_a_test_send_fills_the_manage_link_with_an_address_that_leads_nowhere():
    profile = profile_for("mailchimp")
    filled = _fill('<a href="*|UPDATE_PROFILE|*">x</a>', profile, {}, html=True)
    assert filled == '<a href="https://manage.test-send.invalid/">x</a>'
    assert EmailMessage  # the module reads the built message as this one


# --- Words: links, numbers, headings, directions -----------------------------------------------------


@pytest.mark.parametrize("written, linked", [
    ("see www.example.org/a/b.", "https://www.example.org/a/b"), ("WWW.Example.org", "https://WWW.Example.org"),
    ("https://example.org/x", "https://example.org/x"), ("README.md and budget.py", None), ("example.org", None),
    ("mail me@example.org", None),
])
def test_written_out_addresses_are_links_and_nothing_else(written, linked):
    found = re.findall(r'<a href="([^"]+)"', markdown_to_html(written))
    assert found == ([linked] if linked else [])


@pytest.mark.parametrize("text, expected", [
    ("40 000 $", "40\u202f000\u00a0$"), ("1 250 000 €", "1\u202f250\u202f000\u00a0€"), ("12 %", "12\u00a0%"),
    ("$ 40", "$\u00a040"), ("3,5 km à pied", "3,5\u00a0km à pied"), ("en 2026 100 personnes", "en 2026 100 personnes"),
    ("5 minutes", "5 minutes"), ("page 12 345.", "page 12\u202f345."), ("10 ans", "10\u00a0ans"),
])
def test_a_number_stays_with_its_groups_and_its_unit(text, expected):
    assert typography(text, "en") == expected


@pytest.mark.parametrize("tags, levels", [
    ("h2 h3 h4", [3, 4, 5]), ("h1 h2", [3, 4]), ("h2 h4 h2 h5", [3, 4, 3, 4]), ("h3", [3]), ("h4 h2", [3, 3]),
])
def test_headings_start_under_the_title_and_never_skip(tags, levels):
    html = "".join(f"<{tag}>t</{tag}>" for tag in tags.split())
    found = [b.level for b in read_blocks(html, Reading(heading_shift=3)) if isinstance(b, Heading)]
    assert found == levels


def test_a_right_to_left_table_and_list_are_laid_out_from_the_right():
    html = str(blocks_html(read_blocks("<table><tr><th>المنطقة</th><th>Total</th></tr><tr><td>الشمال</td><td>12</td></tr>"
                                       "</table><ul><li>عنصر أول</li></ul><ul><li>first</li></ul>")))
    assert '<th scope="col" dir="rtl" style="' in html and 'text-align:right;' in html
    assert '<ul dir="rtl" style="margin:0 0 12px;padding-right:22px;">' in html
    assert '<ul style="margin:0 0 12px;padding-left:22px;">' in html  # the English list as before
