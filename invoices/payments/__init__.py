"""Online payment of invoices: iDEAL (and Mollie's other methods) through Mollie.

``mollie``: the services (start a payment, handle Mollie's webhook and book what was paid).
``client``: the one place a Mollie API client is made. ``allocation``: the pure rule that spreads a
paid amount over the invoices, oldest first. ``views``: the webhook endpoint ``/hooks/mollie/``.
"""
