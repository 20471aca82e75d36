"""Statements (izziņas): the e-panel. For now `/statements`, VSAA's 12 kinds with their key figures."""
