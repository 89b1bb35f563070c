"""Use cases: what each route and each function does, independent of HTTP and AWS.

They call the protocols of `bounceback.ports`, never an adapter; the handlers hand
them the adapters (see `bounceback.wiring`).
"""
