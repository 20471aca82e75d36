"""Notice e-mails: what they say (that there is a new notice, and where; nothing about the person or the
matter) and sending them through the configured SMTP server.

smtplib is blocking, so a send runs in a thread; an e-mail is small and goes to one server, which a worker
pass can wait on (the send has its own timeout).
"""

from __future__ import annotations

import asyncio
import smtplib
from collections import deque
from email.message import EmailMessage
from typing import Protocol

import structlog
from pydantic import AnyHttpUrl

from portal.agencies.eadrese import EAddress, Link, Message, NoActiveEAddress
from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.web.i18n import N_, translations

SUBJECT = N_("You have a new notice on the portal")
BODY = N_(
    "You have a new notice in your inbox on the portal. To read it, sign in and open your inbox: %(link)s\n\n"
    "This message was sent because you chose to be told of new notices by e-mail. You can change that in your "
    "notification settings."
)
log = structlog.get_logger("portal.notices")
OPEN_INBOX = N_("Open your inbox on the portal")


class MailRefused(Exception):
    """The channel did not take the message: retried later, unless `final` (the person cannot be reached so)."""

    def __init__(self, reason: str, final: bool = False) -> None:
        super().__init__(reason)
        self.final = final


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def notice_mail(address: str, sender: str, public_url: str, language: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"], body = _text(language, public_url)
    message.set_content(body)
    return message


def _text(language: str, public_url: str) -> tuple[str, str]:
    catalogue = translations(language)
    return catalogue.gettext(SUBJECT), catalogue.gettext(BODY) % {"link": f"{public_url.rstrip('/')}/inbox"}


class EAddressSender:
    """A message to the person's e-adrese (portal/agencies/eadrese.py): the same words as the e-mail, and the
    inbox as its link. Sent once per delivery (its id is the idempotency key)."""

    def __init__(self, eadrese: EAddress, public_url: str) -> None:
        self._eadrese = eadrese
        self._public_url = public_url

    async def send(self, personal_code: str, language: str, key: str) -> None:
        subject, body = _text(language, self._public_url)
        title = translations(language).gettext(OPEN_INBOX)
        link = Link(href=AnyHttpUrl(f"{self._public_url.rstrip('/')}/inbox"), title=title)
        try:
            await self._eadrese.send(
                Message(recipient_code=personal_code, subject=subject, body=body, links=(link,)), key
            )
        except NoActiveEAddress as error:
            raise MailRefused("no active e-address", final=True) from error
        except AgencyRefused as error:
            raise MailRefused(f"e-adrese refused ({error.status})", final=True) from error
        except AgencyUnavailable as error:
            raise MailRefused("e-adrese unavailable") from error


class SmsSender(Protocol):
    async def send(self, phone: str, text: str) -> None: ...


def sms_text(language: str, public_url: str) -> str:
    """The text message: the same words as the e-mail's subject, and the inbox's address."""
    return f"{translations(language).gettext(SUBJECT)}: {public_url.rstrip('/')}/inbox"


class LogSmsSender:
    """The dev and test SMS sink: each message is logged (its length, never the number) and the latest kept in
    `sent` (a bounded list: a dev worker runs for days)."""

    def __init__(self, keep: int = 100) -> None:
        self.sent: deque[tuple[str, str]] = deque(maxlen=keep)

    async def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        log.info("sms_sink", characters=len(text))


class UnconfiguredSms:
    """Production has no SMS provider yet: an SMS delivery is given up, the notice stays in the inbox."""

    async def send(self, phone: str, text: str) -> None:
        raise MailRefused("SMS is not configured", final=True)


class SmtpSender:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self._host, self._port, self._timeout = host, port, timeout

    def _send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            # The reason by its class only: an SMTP reply may repeat the address.
            raise MailRefused(type(error).__name__) from error

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)
