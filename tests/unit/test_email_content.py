"""Every e-mail kind: both parts carry the same words and links, the HTML parses
cleanly, stays small, greets warmly, and the copy never scolds."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from typing import get_args

import html5lib
import pytest

from bounceback.domain.planner import ActionLink, GapSection, PlannedEmail, Section, WeekPick
from bounceback.domain.planner.contract import Nudge
from bounceback.domain.render import RenderedEmail, render_email
from bounceback.domain.render.sections import RENDERERS
from bounceback_local.email_samples import Sample, render_sample, samples

from .test_planner_support import at, profile, state_of

pytestmark = pytest.mark.unit

SAMPLES = samples()
IDS = [s.name for s in SAMPLES]
URL = re.compile(r"(?:https?|mailto):[^\s<>\"]+")


class _Visible(HTMLParser):
    """The text a reader sees in the body (blocks separated by a space), and every
    link target."""

    BLOCKS = frozenset({"p", "h1", "h2", "h3", "li", "div", "td", "th", "tr", "caption", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "head"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.chunks.append(" ")
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "head"):
            self._skip -= 1
        if tag in self.BLOCKS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def words(self) -> list[str]:
        return "".join(self.chunks).split()


def visible(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    return parser


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_samples_cover_every_section_kind() -> None:
    kinds = {k for s in SAMPLES for k in s.email.kinds}
    assert kinds == {
        "acknowledgement",
        "ask_feedback",
        "replay",
        "week_plan",
        "gap",
        "follow_up",
        "no_response_check",
        "digest",
        "congratulations",
        "interview_prep",
        "interview_debrief",
    }


def test_every_section_type_has_a_renderer_and_a_sample() -> None:
    assert set(get_args(Section)) <= set(RENDERERS)
    assert set(get_args(Section)) == {type(n.section) for s in SAMPLES for n in s.email.nudges}


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_text_and_html_carry_the_same_links(sample: Sample) -> None:
    out = render_sample(sample)
    hrefs = visible(out.html).hrefs
    assert hrefs, "every e-mail links to the app and to unsubscribe"
    assert sorted(set(hrefs)) == sorted(set(URL.findall(out.text)))


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_every_line_of_the_text_part_is_in_the_html_part(sample: Sample) -> None:
    out = render_sample(sample)
    seen = flat(" ".join(visible(out.html).words))
    for line in out.text.splitlines():
        # A plan line reads "- what. When: when. Where: where."; the HTML shows
        # "what", then "when · where".
        line = re.sub(r"^- (.*)\. When: (.*?)\.(?: Where: (.*)\.)?$", r"\1 \2 · \3", line)
        words = URL.sub("", line).strip(" :-=#·")
        if not words or words.isupper() or re.fullmatch(r"[\d\sA-Za-z]*#+ \d+", line.strip()):
            continue  # separators, TITLES (headings in HTML), the text bars
        assert flat(words) in seen, line


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_html_parses_without_a_single_structure_error(sample: Sample) -> None:
    html = render_sample(sample).html
    parser = html5lib.HTMLParser(strict=True)
    parser.parse(html)  # raises on the first parse error
    assert html.startswith('<!DOCTYPE html>\n<html lang="en"')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html and "<img" not in html and 'width="560"' not in html


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_html_stays_far_below_the_size_at_which_webmail_clips(sample: Sample) -> None:
    assert len(render_sample(sample).html.encode()) < 40_000


@pytest.mark.parametrize("sample", SAMPLES, ids=IDS)
def test_dates_have_month_names_never_day_slash_month(sample: Sample) -> None:
    out = render_sample(sample)
    assert not re.search(r"\b\d{1,2}/\d{1,2}\b", out.text + out.html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", out.text)


def test_greeting_uses_the_name_when_given_and_is_warm_otherwise() -> None:
    sample = SAMPLES[0]
    named = render_sample(sample)
    assert "\nHi Alex,\n" in named.text and ">Hi Alex,</p>" in named.html
    anonymous = replace(
        sample, state=replace(sample.state, profile=replace(sample.state.profile, name=None))
    )
    out = render_sample(anonymous)
    assert "\nHi there,\n" in out.text
    assert "\nHi,\n" not in out.text and ">Hi,<" not in out.html


def test_a_hostile_name_is_escaped_and_flattened() -> None:
    sample = SAMPLES[0]
    name = '<b onclick="x">Al</b>\r\nBcc: x@y.z'
    hostile = replace(
        sample, state=replace(sample.state, profile=replace(sample.state.profile, name=name))
    )
    out = render_sample(hostile)
    assert "<b onclick" not in out.html and "&lt;b onclick=" in out.html
    assert "\r" not in out.text and "\nBcc:" not in out.text


def gap_email(step: int, since_kind: str = "comeback") -> RenderedEmail:
    section = GapSection(
        anchor=date(2027, 2, 5),
        step=step,
        days_idle=3 * 2 ** (step - 1),
        since_kind=since_kind,  # type: ignore[arg-type]
        last_activity_on=date(2027, 1, 20),
        suggestion=WeekPick("contacts", date(2027, 2, 8), None),
        final=step == 4,
    )
    nudge = Nudge(
        "gap", f"gap:2027-02-05:{step}", date(2027, 2, 8), at(2027, 2, 8, 9), (), "", section
    )
    email = PlannedEmail("day:2027-02-08", date(2027, 2, 8), at(2027, 2, 8, 9), (nudge,))
    return render_email(
        email, state_of(profile()), unsubscribe_url="https://u", app_url="https://a"
    )


def section_text(out: RenderedEmail) -> str:
    return out.text.split("A SMALL STEP\n", 1)[1].split("\n--\n", 1)[0].strip()


def test_the_four_gap_steps_are_four_different_short_texts() -> None:
    texts = [section_text(gap_email(step)) for step in (1, 2, 3, 4)]
    assert len(set(texts)) == 4
    assert all(len(t) < 320 for t in texts)
    assert "last reminder for now" in texts[3]
    assert all("message two people" in t for t in texts)  # the one concrete step


def test_gap_after_a_break_counts_from_the_comeback_day_and_never_blames() -> None:
    text = section_text(gap_email(1))
    assert "3 days since your comeback day, Fri 5 Feb" in text
    assert "since you last logged" not in text
    for word in ("lapse", "fall behind", "should have", "lazy", "failed"):
        assert word not in text.lower()


def test_action_links_are_buttons_in_html_and_label_url_lines_in_text() -> None:
    sample = next(s for s in SAMPLES if s.name == "follow_up")
    nudge = sample.email.nudges[0]
    links = (
        ActionLink("followed_up", "I followed up", "https://b.example/act?a=followed_up&token=t1"),
        ActionLink("rejected", "They said no", "https://b.example/act?a=rejected&token=t2"),
    )
    with_actions = replace(
        sample.email, nudges=(replace(nudge, section=replace(nudge.section, actions=links)),)
    )
    out = render_sample(replace(sample, email=with_actions))
    assert "I followed up: https://b.example/act?a=followed_up&token=t1" in out.text
    assert "They said no: https://b.example/act?a=rejected&token=t2" in out.text
    buttons = re.findall(
        r'<a href="([^"]*)" style="display:inline-block;[^"]*">([^<]*)</a>', out.html
    )
    assert ("https://b.example/act?a=followed_up&amp;token=t1", "I followed up") in buttons
    assert ("https://b.example/act?a=rejected&amp;token=t2", "They said no") in buttons


def test_follow_up_text_part_carries_the_draft_and_the_contact() -> None:
    out = render_sample(next(s for s in SAMPLES if s.name == "follow_up"))
    assert "To: Priya Shah <priya@bluebird.example>" in out.text
    assert "Hi Priya Shah," in out.text
    assert "Open this draft in your mail app: mailto:priya@bluebird.example?" in out.text
    assert "To: Priya Shah &lt;priya@bluebird.example&gt;" in out.html
