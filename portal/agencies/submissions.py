"""What VDEĀVK's and the municipal social services' submissions share: who applies and files, the body's one
spelling of personal codes, and the receipt. (VSAA's contract spells these differently: vsaa_applications.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.people.personal_code import normalise

Scalar = str | int | float | bool | None
Basis = Literal["self", "parent", "guardian", "mandate", "assistant"]


class Person(BaseModel):
    personal_code: str


class Filer(BaseModel):
    personal_code: str
    basis: Basis
    organisation: str | None = Field(None, max_length=200)  # an assistant's service centre


class ApplicationBody(BaseModel):
    """Base of a submission the portal sends: `applicant`, `filer` and `answers` are every such body's."""

    applicant: Person
    filer: Filer
    answers: dict[str, Scalar | list[Scalar]]

    def body(self) -> dict[str, Any]:
        """The request body, personal codes in the contract's one spelling (ValueError when malformed)."""
        body = self.model_dump(mode="json", exclude_none=True)
        body["answers"] = self.model_dump(mode="json")["answers"]  # a null answer is an answer
        body["applicant"]["personal_code"] = normalise(self.applicant.personal_code)
        body["filer"]["personal_code"] = normalise(self.filer.personal_code)
        return body


class Receipt(BaseModel):
    model_config = ConfigDict(frozen=True)

    reference: str
    status: Literal["received"]
    received_at: AwareDatetime
    decision_due: dt.date
    as_of: AwareDatetime
