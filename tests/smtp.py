"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping what it receives.

Django's SMTP backend talks to it over a real socket, so tests see exactly what a mail server would:
the envelope, the headers, both parts and the attachments. ``refuse_recipients`` and ``refuse_data``
make it answer with an error code (451: try again later; 550/554: refused).
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self._part("plain")

    @property
    def html(self) -> str:
        return self._part("html")

    def _part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content().replace("\r\n", "\n") if body is not None else ""

    @property
    def attachments(self) -> dict[str, bytes]:
        return {part.get_filename() or "": part.get_content() for part in self.message.iter_attachments()}


@dataclass
class SinkHandler:
    """aiosmtpd handler: stores accepted messages; answers with a fixed error when told to."""

    received: list[ReceivedMail] = field(default_factory=list)
    refuse_recipients: str = ""  # e.g. "550 5.1.1 No such user"
    refuse_data: str = ""  # e.g. "451 4.3.0 Try again later"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if self.refuse_recipients:
            return self.refuse_recipients
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_data:
            return self.refuse_data
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class SmtpSink:
    port: int
    handler: SinkHandler

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received


def free_port() -> int:
    """A port nobody listens on right now (also the "closed port" of connection tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def running_smtp_sink() -> Iterator[SmtpSink]:
    handler = SinkHandler()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        yield SmtpSink(controller.port, handler)
    finally:
        controller.stop()


def use_smtp(settings: Any, port: int) -> None:
    """Point Django's real SMTP backend at ``HOST:port`` (pytest-django's ``settings`` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
