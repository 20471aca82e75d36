"""What goes wrong when the portal asks an agency, in terms a service can act on."""

from __future__ import annotations


class AgencyUnavailable(Exception):
    """The agency gave no usable answer: it was down, timed out, failed (5xx), refused the portal, or answered
    outside its contract. The message names the agency and what happened, never a personal code.

    Services show that the data cannot be fetched right now and keep whatever the person has entered.
    """
