"""What goes wrong when the portal asks an agency, in terms a service can act on."""

from __future__ import annotations


class AgencyError(Exception):
    """Base of what an agency call can raise. `agency` is the code (vsaa, vdeavk, pasv, pmlp, eadrese); the
    message names the agency and what happened, never a personal code."""

    def __init__(self, message: str, agency: str = "") -> None:
        super().__init__(message)
        self.agency = agency


class AgencyUnavailable(AgencyError):
    """The agency gave no usable answer: it was down, timed out, failed (5xx), refused the portal, its circuit
    is open, or it answered outside its contract.

    Services show that the data cannot be fetched right now and keep whatever the person has entered.
    """


class AgencyRefused(AgencyError):
    """The agency understood the request and refused it (a 4xx problem it means): the person can correct and
    send again. `reason` is the agency's own words (problem `detail`, else `title`)."""

    def __init__(self, message: str, agency: str = "", status: int = 400, reason: str = "") -> None:
        super().__init__(message, agency)
        self.status = status
        self.reason = reason
