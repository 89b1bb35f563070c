"""How heavy and how fast the web app is, on the local stack.

Sizes: the page's script, style and whole HTML as served, raw and gzipped (level 9,
what a CDN or browser sees with `Content-Encoding: gzip`). Times, in headless Chromium
against a freshly started local stack, each the median and the worst of `--runs`
loads in a new browser context (after one untimed load that warms the browser):

- `first_paint_ms`: navigation start to the first contentful paint (signed out);
- `signed_in_ms`: navigation start until a signed-in user's applications list is on
  screen (token stored, so: the page, GET /me, GET /summary and GET /applications).

    .venv/bin/python bench/web_page.py [--runs 10]

Targets: JS + CSS under 100 KB gzipped; first render under 1 s. Prints a table, then
one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from bounceback import web
from bounceback_local.client import RunningStack, call

CHROMIUM = "/usr/bin/chromium"


def gz(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=9))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs

    script = web.script()
    style = (Path(web.__file__).parent / "app.css").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        stack = RunningStack(Path(tmp) / "data")
        stack.start()
        try:
            html = call("GET", f"{stack.url}/").text
            token, _ = stack.login("bench@example.com")
            for n in range(20):
                body = {"company": f"Company {n}", "role": "Analyst"}
                assert call("POST", f"{stack.url}/applications", body, token=token).status == 201
            paint, signed_in = measure(stack.url, token, runs)
        finally:
            stack.stop()

    figures = {
        "js_bytes": len(script.encode()),
        "js_gzip_bytes": gz(script),
        "css_bytes": len(style.encode()),
        "css_gzip_bytes": gz(style),
        "html_bytes": len(html.encode()),
        "html_gzip_bytes": gz(html),
        "js_css_gzip_bytes": gz(script) + gz(style),
        "runs": runs,
        "first_paint_ms_median": round(statistics.median(paint)),
        "first_paint_ms_max": round(max(paint)),
        "signed_in_ms_median": round(statistics.median(signed_in)),
        "signed_in_ms_max": round(max(signed_in)),
    }
    for name, value in figures.items():
        print(f"{name:24} {value}")
    print(json.dumps(figures))
    return 0


def measure(url: str, token: str, runs: int) -> tuple[list[float], list[float]]:
    paint: list[float] = []
    signed_in: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless"]
        )
        try:
            for run in range(runs + 1):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{url}/")
                page.wait_for_function(
                    "performance.getEntriesByName('first-contentful-paint').length > 0"
                )
                first_paint = page.evaluate(
                    "performance.getEntriesByName('first-contentful-paint')[0].startTime"
                )
                page.evaluate("t => sessionStorage.setItem('bounceback.token', t)", token)
                started = time.perf_counter()
                page.reload()
                page.locator("#applications li").nth(19).wait_for()
                if run:  # the first load only warms the browser up
                    paint.append(first_paint)
                    signed_in.append((time.perf_counter() - started) * 1000)
                context.close()
        finally:
            browser.close()
    return paint, signed_in


if __name__ == "__main__":
    raise SystemExit(main())
