"""Writes of the debtor portal: issuing and revoking links; the conversation per invoice, disputes and
payment claims."""

from portal.services.access import portal_access_revoke, portal_link_issue, portal_url
from portal.services.disputes import dispute_open, dispute_open_for, dispute_resolve
from portal.services.payment_claims import payment_claim_check, payment_claim_create, payment_claim_pending_for
from portal.services.threads import thread_question_ask, thread_reply_create

__all__ = [
    "dispute_open",
    "dispute_open_for",
    "dispute_resolve",
    "payment_claim_check",
    "payment_claim_create",
    "payment_claim_pending_for",
    "portal_access_revoke",
    "portal_link_issue",
    "portal_url",
    "thread_question_ask",
    "thread_reply_create",
]
