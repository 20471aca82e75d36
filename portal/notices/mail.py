"""Notice e-mails: what they say (that there is a new notice, and where; nothing about the person or the
matter) and sending them through the configured SMTP server.

smtplib is blocking, so a send runs in a thread; an e-mail is small and goes to one server, which a worker
pass can wait on (the send has its own timeout).
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Protocol

from portal.web.i18n import N_, translations

SUBJECT = N_("You have a new notice on the portal")
BODY = N_(
    "You have a new notice in your inbox on the portal. To read it, sign in and open your inbox: %(link)s\n\n"
    "This message was sent because you chose to be told of new notices by e-mail. You can change that in your "
    "notification settings."
)


class MailRefused(Exception):
    """The SMTP server did not take the e-mail (refused, or could not be reached): the send is retried."""


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def notice_mail(address: str, sender: str, public_url: str, language: str) -> EmailMessage:
    catalogue = translations(language)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = address
    message["Subject"] = catalogue.gettext(SUBJECT)
    message.set_content(catalogue.gettext(BODY) % {"link": f"{public_url.rstrip('/')}/inbox"})
    return message


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
