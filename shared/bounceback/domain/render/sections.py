"""One renderer per section kind: the planner's facts in the service's own words.

A renderer is a small function from its section value (and the user's profile) to a
`Part`, registered with `@renders(SectionType, subject=...)`; the subject is used when
that kind opens an e-mail. The section's action links are added under it as buttons
by `parts_of`, so a renderer never has to. Adding an e-mail kind is one such function.

The copy is warm and short and never counts against the reader: a break Bounceback
asked for is never called a gap, and every suggestion is one small, concrete step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from ..model import Profile
from ..planner import (
    AcknowledgementSection,
    AskFeedbackSection,
    CongratulationsSection,
    DigestSection,
    FollowUpSection,
    GapSection,
    InterviewDebriefSection,
    InterviewPrepSection,
    MoreSection,
    NoResponseSection,
    PlannedEmail,
    ReplaySection,
    Section,
    WeekBar,
    WeekPlanSection,
)
from .blocks import Bar, Bars, Block, Buttons, Draft, Heading, Link, Para, Part, Plan, PlanRow
from .parts import count, day_label, mailto, plain, week_label

__all__ = ["RENDERERS", "parts_of", "renderer_for", "renders", "subject_of"]

S = TypeVar("S")
Renderer = Callable[[Any, Profile], Part]

RENDERERS: dict[type[Any], tuple[str, Renderer]] = {}


def renders(kind: type[S], *, subject: str) -> Callable[[Callable[[S, Profile], Part]], Any]:
    """Register the renderer of section type `kind`. `subject` may name `{company}`."""

    def register(function: Callable[[S, Profile], Part]) -> Callable[[S, Profile], Part]:
        RENDERERS[kind] = (subject, function)
        return function

    return register


def renderer_for(section: Section) -> tuple[str, Renderer]:
    """The subject template and the renderer of `section`'s kind."""
    try:
        return RENDERERS[type(section)]
    except KeyError:
        raise LookupError(f"no renderer for {type(section).__name__}") from None


# The concrete small step for each week-plan category: what, and where it fits.
STEPS: Final[dict[str, tuple[str, str]]] = {
    "networking": (
        "Find one meetup or online event in your field and sign up",
        "a local meetup or online",
    ),
    "contacts": (
        "Message two people you would like to catch up with",
        "at your desk with a coffee, half an hour",
    ),
    "applications": (
        "Send one application for a role you genuinely like",
        "at home or in a library, one focused hour",
    ),
    "cv": ("Add one recent achievement to your CV", "somewhere quiet, forty minutes"),
    "industry_news": (
        "Read one article about your industry and jot down a thought",
        "with your morning coffee, twenty minutes",
    ),
}
_TIMES: Final[tuple[str, ...]] = ("late morning", "early afternoon", "morning")
_RELIEF: Final[dict[str, str]] = {
    "exercise": "Move for twenty minutes: a brisk walk, a run, a swim. It really does help.",
    "other": "Blow off some steam your way: loud music, a walk with a friend, cooking "
    "something good.",
}


@renders(AcknowledgementSection, subject="About {company}: be gentle with yourself")
def _acknowledgement(d: AcknowledgementSection, profile: Profile) -> Part:
    days = profile.break_days
    span = "a day" if days == 1 else f"{days} days" if days > 2 else "a couple of days"
    company = plain(d.company) or "that company"
    when = day_label(d.comeback_on)
    return Part(
        "Be gentle with yourself",
        (
            Para(
                f"I'm sorry about {company}. It is completely normal to feel disappointed: "
                "a no stings, and it says nothing about your worth.",
                (company,),
            ),
            Para(
                f"Take {span} off from the search. No tasks, no pressure. "
                f"We will check in on {when}.",
                (when,),
            ),
        ),
    )


def _draft(to_name: str | None, address: str | None, subject: str, body: str) -> Draft:
    name = plain(to_name, 80)
    link = mailto(address, subject, body)
    shown = plain(address, 120) if link else ""
    to = f"{name} <{shown}>" if name and shown else shown or name or None
    opened = Link("Open this draft in your mail app", link) if link else None
    return Draft(to=to, subject=subject, body=body, link=opened)


@renders(AskFeedbackSection, subject="Welcome back: a gentle plan for this week")
def _ask_feedback(d: AskFeedbackSection, profile: Profile) -> Part:
    company = plain(d.company) or "the company"
    role = plain(d.role) or "the role"
    body = (
        f"Hi {plain(d.contact_name) or 'there'},\n\nThank you for letting me know about the "
        f"{role} position. If you have a moment, I would really value a few words of "
        "feedback on my application or interview: anything that could help me improve.\n\n"
        "Thanks again, and all the best,"
    )
    intro = (
        f"Welcome back. Since {company} told you in person, they may be happy to share "
        "a little feedback. Asking is a strength, and a short note is enough:"
    )
    draft = _draft(d.contact_name, d.contact_email, f"Feedback on my application for {role}", body)
    return Part("Ask for feedback", (Para(intro, (company,)), draft))


@renders(ReplaySection, subject="Welcome back: a gentle plan for this week")
def _replay(d: ReplaySection, profile: Profile) -> Part:
    company = plain(d.company) or "the company"
    role = plain(d.role) or "the role"
    if d.interview_happened:
        body = (
            f"Welcome back. Replay the {company} interview once, kindly: write down the "
            "questions you remember and how you would answer them today, or role-play it "
            "with a friend. Curiosity, not judgement."
        )
    else:
        body = (
            f"Welcome back. Put the {role} posting at {company} next to your CV: which "
            "must-haves does your CV show clearly, and which could it show better next "
            "time? Curiosity, not judgement."
        )
    return Part("Welcome back", (Para(body, (company,)),))


@renders(WeekPlanSection, subject="Welcome back: a gentle plan for this week")
def _week_plan(d: WeekPlanSection, profile: Profile) -> Part:
    rows = []
    for i, pick in enumerate(d.picks):
        what, where = STEPS.get(pick.category, ("One small step for your search", ""))
        rows.append(PlanRow(what, f"{day_label(pick.on)}, {_TIMES[i % len(_TIMES)]}", where))
    relief = _RELIEF.get(d.stress_relief, _RELIEF["exercise"])
    return Part(
        "Your week plan",
        (
            Para("Three small things for this week, at your own pace:"),
            Plan(tuple(rows)),
            Para(f"And for you: {relief}"),
        ),
    )


def _since(d: GapSection) -> str:
    """What the quiet days are counted from, in words."""
    day = day_label(d.anchor)
    if d.since_kind == "comeback":
        return f"your comeback day, {day}"
    if d.since_kind == "pause":
        return f"your pause ended ({day} was your first day back)"
    return f"you last logged something, on {day}"


def _gap_opening(d: GapSection) -> str:
    """Four steps, four different openings: a gentle progression, never a reproach."""
    days = count(d.days_idle, "day")
    if d.step <= 1:
        if d.since_kind == "comeback":
            return (
                f"It is {days} since your comeback day, {day_label(d.anchor)}. We hope the "
                "break did you good. When you feel ready, one small step is a fine way back in."
            )
        return f"It is {days} since {_since(d)}. One small step keeps your search warm."
    if d.step == 2:
        return (
            f"A gentle check-in: {days} since {_since(d)}. Searching is tiring work, so "
            "keep the next step small. It still counts."
        )
    if d.step == 3:
        return (
            "Slow weeks happen to everyone, and they say nothing about you. If you have "
            "half an hour this week, here is one idea."
        )
    return (
        "This is our last reminder for now. There is no rush: when you are ready, one "
        "small step is enough, and we will be here."
    )


@renders(GapSection, subject="One small step to keep your search warm")
def _gap(d: GapSection, profile: Profile) -> Part:
    what, _where = STEPS.get(d.suggestion.category, ("Do one small thing for your search", ""))
    return Part(
        "A small step", (Para(_gap_opening(d)), Para(f"One idea: {what[:1].lower()}{what[1:]}."))
    )


_FOLLOW_UPS: Final = "Follow-ups"
_DEBRIEFS: Final = "How did it go?"
# The title a list kind's sections share, and what its "and N more" line counts.
_LISTS: Final[dict[str, tuple[str, str, str]]] = {
    "follow_up": (
        _FOLLOW_UPS,
        "application",
        "where a follow-up could help (the ones above have waited longest)",
    ),
    "no_response_check": (
        _FOLLOW_UPS,
        "application",
        "still without an answer after 30 days (the ones above have waited longest)",
    ),
    "interview_debrief": (_DEBRIEFS, "interview", "to look back on (the ones above came first)"),
}


def _application(company: str, role: str) -> Heading:
    return Heading(f"{company}, {role}" if role else company)


@renders(FollowUpSection, subject="A friendly follow-up could help")
def _follow_up(d: FollowUpSection, profile: Profile) -> Part:
    company = plain(d.company) or "An application"
    role = plain(d.role)
    applied = day_label(d.applied_on)
    body = (
        f"Hi {plain(d.contact_name) or 'there'},\n\nI applied for the {role or 'open'} role "
        f"on {applied} and wanted to say I am still very interested. Is there anything "
        "else I can share?\n\nThank you,"
    )
    draft = _draft(d.contact_name, d.contact_email, f"Following up: {role or company}", body)
    advice = (
        f"You applied on {applied}. A short, friendly follow-up after a week is "
        "completely normal, and it keeps you in mind. A draft:"
    )
    return Part(_FOLLOW_UPS, (_application(company, role), Para(advice), draft))


@renders(NoResponseSection, subject="Still waiting to hear back?")
def _no_response(d: NoResponseSection, profile: Profile) -> Part:
    company = plain(d.company) or "An application"
    role = plain(d.role)
    advice = (
        f"You applied on {day_label(d.applied_on)} and have had no answer in 30 days. "
        "That says more about their inbox than about you. If it feels right, mark it as "
        "no response and free up the headspace."
    )
    return Part(_FOLLOW_UPS, (_application(company, role), Para(advice)))


def _bars(weeks: Sequence[WeekBar]) -> Bars:
    return Bars(
        "The last 8 weeks, applications and activities together:",
        tuple(Bar(week_label(w.week_of), w.week_of, w.count) for w in weeks),
    )


@renders(DigestSection, subject="Your week in the search")
def _digest(section: DigestSection, profile: Profile) -> Part:
    d = section.figures
    if d is None:  # a future digest: figures are computed on its Monday
        return Part(
            "Your week", (Para(f"Your weekly figures arrive on {day_label(section.week_of)}."),)
        )
    past, before = d.past_week, d.week_before
    idle = d.days_since_last_activity
    facts = [
        f"Last week: {count(past.applications, 'application')} and "
        f"{count(past.activities, 'other activity', 'other activities')} "
        f"(the week before: {before.applications} and {before.activities}).",
        "Days since your last activity: " + (str(idle) if idle is not None else "none yet") + ".",
        f"Open follow-ups: {d.open_follow_ups}.",
    ]
    if d.last_comeback_on is not None:
        facts.append(f"Your last comeback day: {day_label(d.last_comeback_on)}.")
    blocks: list[Block] = [Para(fact) for fact in facts]
    blocks.append(_bars(d.weeks))
    return Part("Your week", tuple(blocks))


def _at(moment: datetime) -> str:
    return f"{day_label(moment.date())} at {moment:%H:%M}"


@renders(InterviewPrepSection, subject="Your {company} interview: a calm way to prepare")
def _interview_prep(d: InterviewPrepSection, profile: Profile) -> Part:
    company = plain(d.company) or "the company"
    role = plain(d.role) or "the role"
    notes = plain(d.notes, limit=160)
    posting = "Re-read the posting" + (f" ({plain(d.url)})" if d.url else "")
    steps = (
        posting + " and your notes" + (f": {notes}" if notes else "") + ".",
        "Have two or three stories ready: a problem you solved, something you are proud "
        "of, and a time something went wrong and what you did next.",
        'Two questions to ask them: "What would a great first three months look like?" '
        'and "What is the team finding hardest right now?"',
        f"Logistics: {plain(d.logistics, limit=300)}"
        if d.logistics
        else "Logistics: check where it is or how to join, and who you will meet.",
    )
    when = _at(d.starts_at)
    intro = (
        f"Your interview with {company} for {role} is on {when}. "
        "An hour of calm preparation today is plenty."
    )
    blocks: list[Block] = [Para(intro, (company, when))]
    blocks.extend(Para(step) for step in steps)
    blocks.append(
        Para(
            "Getting the interview was the hard part, and you did it. "
            "They already think you could do this job."
        )
    )
    return Part("Ready for your interview", tuple(blocks))


@renders(InterviewDebriefSection, subject="How did it go with {company}?")
def _interview_debrief(d: InterviewDebriefSection, profile: Profile) -> Part:
    company = plain(d.company) or "the company"
    role = plain(d.role) or "the role"
    intro = (
        f"How did it go with {company} on {day_label(d.starts_at.date())}? While it is "
        "fresh, note three things: what they asked, what went well, and one thing you "
        "would say differently next time."
    )
    body = (
        f"Hi {plain(d.contact_name) or 'there'},\n\nThank you for taking the time to talk "
        f"with me about the {role} role. I enjoyed our conversation and I am still very "
        "interested.\n\nBest regards,"
    )
    draft = _draft(d.contact_name, d.contact_email, f"Thank you: {role}", body)
    outcome = (
        "When you hear back, record the outcome in Bounceback: an offer, another round "
        "or a no. Each one counts."
    )
    return Part(
        _DEBRIEFS,
        (
            Para(intro, (company,)),
            Para("A short thank-you is a kind touch:"),
            draft,
            Para(outcome),
        ),
    )


@renders(CongratulationsSection, subject="Congratulations on the new job!")
def _congratulations(d: CongratulationsSection, profile: Profile) -> Part:
    company = plain(d.company) or "your new employer"
    text = (
        f"Congratulations on accepting the offer from {company}! All those applications "
        "and comebacks led here. We will stay quiet now; if you ever start a new search, "
        "add an application and we will be there."
    )
    return Part("Congratulations", (Para(text, (company,)),))


@renders(MoreSection, subject="Your search in Bounceback")
def _more(d: MoreSection, profile: Profile) -> Part:
    """The end of a long list: how many more (`parts_of` adds the web app's link)."""
    title, one, which = _LISTS.get(d.kind, ("More", "item", "in Bounceback"))
    more = f"{d.count:,} more {one if d.count == 1 else one + 's'}"
    text = f"And {more} {which}."
    return Part(title, (Para(text, (more,)),))


def subject_of(email: PlannedEmail) -> str:
    """The subject: the template of the e-mail's first section kind."""
    if not email.nudges:
        return "News from Bounceback"
    first = email.nudges[0].section
    template, _ = renderer_for(first)
    company = plain(getattr(first, "company", None), limit=60) or "today"
    return plain(template.format(company=company), limit=120)


def parts_of(email: PlannedEmail, profile: Profile, app_url: str) -> list[Part]:
    """Every section of `email` in the planner's order, each with its action buttons;
    adjacent parts with the same title become one. A long list's "and N more" line
    links to the web app at `app_url`."""
    parts: list[Part] = []
    for nudge in email.nudges:
        _, render = renderer_for(nudge.section)
        part = render(nudge.section, profile)
        actions = tuple(Link(a.label, a.url) for a in nudge.section.actions)
        if isinstance(nudge.section, MoreSection):
            actions = (Link("See them all in Bounceback", app_url), *actions)
        blocks = part.blocks + ((Buttons(actions),) if actions else ())
        if parts and parts[-1].title == part.title:
            parts[-1] = Part(part.title, parts[-1].blocks + blocks)
        else:
            parts.append(Part(part.title, blocks))
    return parts
