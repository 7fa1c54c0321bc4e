"""Writes of the debtor portal: issuing and revoking links."""

from portal.services.access import portal_access_revoke, portal_link_issue, portal_url

__all__ = ["portal_access_revoke", "portal_link_issue", "portal_url"]
