"""Writes of the payments app, one module per sub-domain: ``accounts`` (payment accounts and
their review), ``schedule`` (incentive rules, surveys, the due-instalment job), ``batches``
(build, approve, export) and ``reconciliation`` (the bank's result file)."""
