"""How a VPVKAC assistant identified a client who is present: the basis for working in the client's name."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class ClientIdentification(Base):
    __tablename__ = "client_identifications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    assistant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(40))  # passport | id_card | residence_permit
    # Only the last digits: enough to find the document again, too little to misuse it.
    document_last_digits: Mapped[str] = mapped_column(String(4))
    present_in_person: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
