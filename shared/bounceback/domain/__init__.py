"""Pure domain: records, status changes, the nudge planner and the e-mail renderer.

Nothing here imports boto3 or pynamodb, and nothing reads the clock: time comes in
as a parameter.
"""
