"""Every e-mail kind in headless Chromium: at 360 px (a phone) and 600 px, no sideways
scrolling, readable text, and no serious or critical axe-core finding."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from bounceback.domain.planner import ActionLink
from bounceback_local.email_check import chromium, layout_of, open_html
from bounceback_local.email_samples import Sample, render_sample, samples

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SAMPLES = samples()
IDS = [s.name for s in SAMPLES]
# Moderate best-practice rules about page landmarks: an e-mail is shown inside the
# mail app's own page, which owns <main> and the regions; the e-mail's wrapper is
# role="article" (aria-roledescription "email"), the usual pattern for e-mail.
LANDMARK_RULES = {"landmark-one-main", "region"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def stressed(sample: Sample) -> Sample:
    """`sample` with long unbroken user words and two action buttons in every section."""
    links = (
        ActionLink("followed_up", "I followed up", "https://bounceback.example/act?a=x&token=t"),
        ActionLink("pause_week", "Pause for a week", "https://bounceback.example/act?a=y&token=t"),
    )
    long_word = "Supercalifragilisticexpialidocious-Consulting-International-Holdings-Group"
    nudges = []
    for nudge in sample.email.nudges:
        section = replace(nudge.section, actions=links)
        if hasattr(section, "company"):
            section = replace(section, company=long_word)  # type: ignore[call-arg]
        nudges.append(replace(nudge, section=section))
    profile = replace(sample.state.profile, name="Maximiliana-Alexandrina-Konstantinopoulou")
    return replace(
        sample,
        email=replace(sample.email, nudges=tuple(nudges)),
        state=replace(sample.state, profile=profile),
    )


@pytest.mark.parametrize("width", [360, 600])
@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_reads_without_sideways_scrolling(browser: Browser, sample: Sample, width: int) -> None:
    for variant in (sample, stressed(sample)):
        with open_html(browser, render_sample(variant).html, width) as page:
            layout = layout_of(page)
        assert not layout.scrolls_sideways, (variant.name, width, layout)
        assert layout.smallest_font_px >= 14, layout
        assert layout.body_font_px >= 16, layout


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_axe_finds_nothing_serious_or_critical(browser: Browser, sample: Sample) -> None:
    for variant in (sample, stressed(sample)):
        with open_html(browser, render_sample(variant).html, 360) as page:
            found = Axe().run(page).response["violations"]
        serious = [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        assert {v["id"] for v in found} <= LANDMARK_RULES, found


def test_the_card_is_600_px_at_most_on_a_wide_screen(browser: Browser) -> None:
    with open_html(browser, render_sample(SAMPLES[0]).html, 1200) as page:
        width = page.evaluate("document.querySelector('h1').parentElement.offsetWidth")
    assert width == 600
