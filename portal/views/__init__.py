"""The debtor's pages, reached only through a token link (no account, no session)."""
