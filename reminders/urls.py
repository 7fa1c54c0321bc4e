"""Creditor pages of the reminders app, mounted under /app/<org_id>/ (see outstanding/urls.py)."""

from django.urls import path  # noqa: F401 - used as pages are added

urlpatterns: list = []
