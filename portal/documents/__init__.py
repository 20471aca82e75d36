"""Documents the portal issues (receipts now, statements later): HTML rendered to tagged PDF/A in the worker,
stored once, downloaded as the same bytes every time."""
