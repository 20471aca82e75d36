"""The append-only audit trail and the "who used my data" view."""
