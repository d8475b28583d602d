"""`rameau preview --screenshot DIR`: PNGs of every segment at phone and desktop widths,
taken by a real Chromium driven by Playwright: Chrome's headless shell, Chrome, Chromium or Edge
installed on the system, else the browser `playwright install chromium` put in Playwright's
cache; never a download."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from .. import compat
from ..errors import Problem, UsageError
from ..files import safe_join
from ..images.assets import PREVIEW_URL, content_type
from ..pipeline import Build
from .pages import as_read

WIDTHS = {"desktop": 800, "phone": 375}
MIN_WIDTH, MAX_WIDTH = 200, 3000
# Chromium flags for a sandboxed machine without network: no background traffic, no GPU.
BROWSER_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-sandbox"]


def find_browser(playwright: Any = None) -> str:
    """The browser to drive: $RAMEAU_CHROMIUM, else an installed headless shell, Chrome, Chromium
    or Edge (by name on PATH, then where each system's installers put them), else Playwright's
    own browser when `playwright` (a started Playwright) has one."""
    explicit = os.environ.get("RAMEAU_CHROMIUM")
    if explicit:
        return explicit
    for found in compat.installed_browsers():
        return found
    if playwright is not None:
        own = playwright.chromium.executable_path
        if own and Path(own).is_file():
            return str(own)
    raise UsageError(Problem("--screenshot", "no Chrome, Chromium or Edge found; install one (Debian: apt-get install "
                                             "chromium), or run `playwright install chromium`, or set RAMEAU_CHROMIUM "
                                             "to a browser's path"))


# Each window of a headless Chromium (Chromium 156: one per Playwright page of its own) loads its
# address bar's popup, a WebUI page, a second after it opens: some 0.8 s of CPU for an address bar
# nobody types into, half of what a screenshot run costs the browser. Chromium keeps only the last
# --disable-features it is given, and Playwright gives its own (`disabledFeatures` in
# playwright-core's server/chromium/chromiumSwitches.ts, for a browser that behaves the same in
# every test): its list is given again with these after it. Where the list cannot be read from the
# installed Playwright, the browser is launched as Playwright launches it. (Chrome's headless shell
# has no address bar: there the flags change nothing.)
POPUP_FEATURES = ("WebUIOmniboxAimPopup", "WebUIOmniboxPopup")


def playwright_disabled_features(package: Path) -> list[str]:
    """The features Playwright disables in Chromium, as the driver in its `package` folder lists
    them ([] when it cannot be read)."""
    try:
        bundle = (package / "driver" / "package" / "lib" / "coreBundle.js").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    found = re.search(r"chromiumSwitches\.ts.*?disabledFeatures = \[(.*?)\]", bundle, re.S)
    return re.findall(r'^\s*"([A-Za-z0-9]+)",?\s*$', found.group(1), re.M) if found else []


def browser_args(package: Path) -> list[str]:
    """BROWSER_ARGS, and Playwright's disabled features with the address bar's popup's after them."""
    disabled = playwright_disabled_features(package)
    return [*BROWSER_ARGS, f"--disable-features={','.join([*disabled, *POPUP_FEATURES])}"] if disabled \
        else list(BROWSER_ARGS)


def launch_browser(playwright):
    import playwright as package  # noqa: PLC0415 (an optional dependency, imported by the caller already)

    return playwright.chromium.launch(executable_path=find_browser(playwright), headless=True,
                                      args=browser_args(Path(package.__file__).parent))


def _answer(route, assets: dict[str, bytes]) -> None:
    """The images from disk of the build are shown; nothing else is fetched from the network."""
    url = route.request.url
    if url.startswith(PREVIEW_URL + "/") and url[len(PREVIEW_URL) + 1:] in assets:
        name = url[len(PREVIEW_URL) + 1:]
        return route.fulfill(status=200, body=assets[name], content_type=content_type(name))
    return route.abort() if url.startswith("http") else route.continue_()


def shot_names(widths: tuple[int, ...] = (), dark: bool = False) -> dict[str, int]:
    """Each screenshot's name after the segment's id, and its width: `desktop` (800 px) and
    `phone` (375 px), or each width asked for (`320`); `-dark` after each in dark mode."""
    for width in widths:
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise UsageError(Problem("--width", f"{width} px is not a screen's width; give one from {MIN_WIDTH} to "
                                                f"{MAX_WIDTH}, such as 320 or 1280"))
    named = {str(width): width for width in dict.fromkeys(widths)} if widths else WIDTHS
    return {f"{label}-dark" if dark else label: width for label, width in named.items()}


def take_screenshots(built: Build, folder: Path, widths: tuple[int, ...] = (), dark: bool = False) -> list[Path]:
    """Write `<segment>-desktop.png` and `<segment>-phone.png` for every built segment, or
    `<segment>-<width>.png` for each of `widths`; in the dark colour scheme with `dark`
    (`<segment>-phone-dark.png`), as a mail client in dark mode asks the email's own dark styles."""
    shots = shot_names(widths, dark)
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 (an optional dependency)
    except ImportError:
        raise UsageError(Problem("--screenshot", "needs Playwright: pip install 'rameau-cli[screenshots]'")) from None
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            # One page for every shot, resized for each: a new page costs the browser more than
            # most emails take to lay out and shoot.
            page = browser.new_page(java_script_enabled=False, color_scheme="dark" if dark else "light")
            page.route("**/*", lambda route: _answer(route, built.assets))
            for email in built.emails:
                for label, width in shots.items():
                    page.set_viewport_size({"width": width, "height": 900})
                    page.set_content(as_read(email, html=True), wait_until="load")
                    path = safe_join(folder, f"{email.issue.segment.id}-{label}.png")
                    page.screenshot(path=str(path), full_page=True)
                    written.append(path)
        finally:
            browser.close()
    return written
