"""Looking at a rendered e-mail the way a phone or a desktop mail app would.

Shared by the e-mail browser tests and `make email-snapshots`: headless Chromium
(Debian's) opens the HTML part at a given width and reports what a reader would
notice: sideways scrolling, the smallest text, and axe-core's accessibility findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

__all__ = ["CHROMIUM", "Layout", "chromium", "layout_of", "open_html", "snapshot"]

CHROMIUM = "/usr/bin/chromium"
_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The smallest font size of any element that shows text, and the page's widths.
_MEASURE = """() => {
  const root = document.scrollingElement;
  let smallest = Infinity;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (own) smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
  }
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    smallestFont: smallest,
    bodyFont: parseFloat(getComputedStyle(document.querySelector('p')).fontSize),
  };
}"""


@dataclass(frozen=True, slots=True)
class Layout:
    scroll_width: int
    client_width: int
    smallest_font_px: float
    body_font_px: float

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.client_width


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_html(browser: Browser, html: str, width: int, scale: float = 2) -> Iterator[Page]:
    """`html` in a fresh page `width` CSS pixels wide, as a phone (touch, honouring the
    viewport meta) or desktop shows it. No network: an e-mail must not need one."""
    mobile = width < 500
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=scale if mobile else 1,
        offline=True,
        java_script_enabled=True,  # for the measurements and axe only: e-mails carry none
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.set_content(html, wait_until="load")
        yield page
    finally:
        context.close()


def layout_of(page: Page) -> Layout:
    measured: dict[str, Any] = page.evaluate(_MEASURE)
    return Layout(
        scroll_width=int(measured["scrollWidth"]),
        client_width=int(measured["clientWidth"]),
        smallest_font_px=float(measured["smallestFont"]),
        body_font_px=float(measured["bodyFont"]),
    )


def snapshot(page: Page, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
