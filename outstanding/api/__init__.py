"""The REST API's shared parts: key authentication, permissions, the one error format, paging, throttles.

The endpoints live with their apps (``invoices/api.py``, ``reminders/api.py``) and are routed in
``outstanding/api_urls.py`` under ``/api/v1/``. The tenant is the API key's organization, always.
"""
