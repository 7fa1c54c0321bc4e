"""Creditor pages of the collection app, one module per subject."""
