"""Sync: the agencies' last answers about a person, kept so that pages do not wait on an agency.

models.py (kept answers, sync requests), store.py (their queries), service.py (fetching and keeping),
worker.py (the worker's task: sign-in requests, refreshes, the retention sweep).
"""
