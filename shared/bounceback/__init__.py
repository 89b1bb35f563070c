"""Bounceback: rejection-aware job-search nudges.

`bounceback.domain` holds the pure rules (no AWS, no clock); `bounceback.usecases` is
what each route and function does, through the protocols of `bounceback.ports`;
`bounceback.adapters` implements those with AWS; `bounceback.http` is the API's HTTP
layer; `bounceback.wiring` is where the handlers in `functions/` choose the adapters.
"""
