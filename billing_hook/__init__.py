"""Completion events to billing: outbox relay, Standard Webhooks signing, retries, dead letters.

Pure of the order domain: it stores and delivers events other packages write to
its outbox (``billing_hook.models``) and knows nothing of orders or jobs.
"""
