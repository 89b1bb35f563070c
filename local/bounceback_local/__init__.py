"""The local stack: Bounceback on one machine, no AWS account."""
