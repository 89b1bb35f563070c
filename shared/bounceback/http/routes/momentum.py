"""`/nudges` and `/summary`: what the planner will send, and the caller's momentum."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from bounceback.domain.summary import summarize
from bounceback.http import schemas as s
from bounceback.http.deps import Caller, Store
from bounceback.http.nudges import nudges_view
from bounceback.http.responses import answers
from bounceback.infra import clock
from bounceback.usecases import records

router = Router()


@router.get("/nudges", responses=answers(200, "Upcoming nudges (planned now) and the e-mails sent"))
def list_nudges(caller: Caller, store: Store) -> s.NudgesOut:
    now = clock.now()
    state = records.load_planning_state(store, caller, now)
    return s.NudgesOut.model_validate(nudges_view(state, now))


@router.get(
    "/summary", responses=answers(200, "Momentum: activity, break, statuses, response rate")
)
def get_summary(caller: Caller, store: Store) -> s.SummaryOut:
    state = records.load_state(store, caller, clock.now())
    return s.SummaryOut.model_validate(summarize(state, clock.now()).to_dict())
