"""The local stack: Bounceback on one machine, no AWS account (DESIGN §4)."""
