"""Error codes of the linkage app."""

from __future__ import annotations

from enum import StrEnum


class LinkageError(StrEnum):
    """The stable error codes the linkage app raises (the API contract): each member is the
    code string itself."""

    ACCOUNT_CAPABILITY_MISSING = "account.capability_missing"
    LINKAGE_ACTION_INVALID = "linkage.action_invalid"
    LINKAGE_ALREADY_DECIDED = "linkage.already_decided"
    LINKAGE_JPS_CASE_CLOSED = "linkage.jps_case_closed"
    LINKAGE_JPS_CASE_NOT_FOUND = "linkage.jps_case_not_found"
    LINKAGE_JPS_DECISION_INVALID = "linkage.jps_decision_invalid"
    LINKAGE_LINK_NOT_FOUND = "linkage.link_not_found"
    LINKAGE_REASON_REQUIRED = "linkage.reason_required"
    LINKAGE_RUN_NOT_FOUND = "linkage.run_not_found"
    LINKAGE_WAVE_INVALID = "linkage.wave_invalid"
    LINKAGE_WORKER_ALREADY_LINKED = "linkage.worker_already_linked"
