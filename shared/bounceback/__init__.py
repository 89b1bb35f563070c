"""Bounceback: rejection-aware job-search nudges.

`bounceback.domain` holds the pure rules (no AWS, no clock); `bounceback.adapters`
stores and sends through AWS; `bounceback.records` and friends are the use cases the
Lambda handlers in `functions/` call.
"""
