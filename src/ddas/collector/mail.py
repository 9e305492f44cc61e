"""Sending the op-orde-rapport to a supplier's contactpersonen (SPEC.md §7).

The addresses come from the delivery itself (`aanleverende_organisatie` → contactpersonen), and every
organisation hears about its own leveringen only (`ddas.collector.reports` splits the report per organisation).
Everything that goes out is scrubbed first: a report is built from findings that are already masked, but a
nine-digit run that slipped into a subject or a template must still not leave the building — a BSN travels by
mail to no one.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddas.collector.errors import MailError
from ddas.validation.findings import scrub

__all__ = [
    "ATTACHMENT_NAME",
    "SmtpSettings",
    "contact_addresses",
    "levering_organisations",
    "send_report",
]

#: File name of the HTML report attached to the mail (for mail clients that do not show HTML).
ATTACHMENT_NAME = "op-orde-rapport.html"

_UNKNOWN_ORGANISATION = "onbekende aanleverende organisatie"


class SmtpSettings(BaseModel):
    """How to reach the mail server. The password is named by an environment variable, never stored here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65_535)
    starttls: bool = False
    username: str | None = None
    #: Name of the environment variable holding the password (read when sending, so it is never in a file).
    password_env: str | None = None
    sender: str
    timeout_seconds: float = Field(default=30.0, gt=0, le=600, allow_inf_nan=False)
    #: Trust anchors (PEM) for the server's certificate with STARTTLS; absent: the system's trust store.
    tls_ca: Path | None = None

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        if not _is_address(value):
            raise ValueError(f"afzender {value!r} is geen e-mailadres")
        return value.strip()

    @model_validator(mode="after")
    def _login(self) -> SmtpSettings:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("geef username en password_env samen op, of geen van beide")
        if self.username is not None and not self.starttls:
            raise ValueError(
                "inloggen (username) alleen met starttls: een wachtwoord gaat niet onversleuteld"
            )
        return self

    def password(self, environ: Mapping[str, str] | None = None) -> str | None:
        """The password from the environment variable `password_env`; MailError when it is not set."""
        if self.password_env is None:
            return None
        value = (os.environ if environ is None else environ).get(self.password_env)
        if not value:
            raise MailError(
                f"omgevingsvariabele {self.password_env} (het SMTP-wachtwoord) is niet gezet of leeg"
            )
        return value


def contact_addresses(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per aanleverende organisatie (by name), the e-mail addresses of its contactpersonen.

    Accepts an SHV document (`(Statutaire) Naam`, `contactpersonen`), a VS document (`naam`,
    `contactpersoonen`, spelled so in VS v0.9) or an API answer wrapping either in `gegevens`. Addresses keep
    their order and appear once per organisation (compared case-insensitively); malformed ones are left out. An
    organisation without any usable address is listed with an empty list, so the caller can say so.
    """
    result: dict[str, list[str]] = {}
    seen: dict[str, set[str]] = {}
    for organisatie in _organisations(document):
        if organisatie is None:
            continue
        name = _organisation_name(organisatie)
        addresses = result.setdefault(name, [])
        known = seen.setdefault(name, set())
        for email in _emails(organisatie):
            if email.casefold() not in known:
                known.add(email.casefold())
                addresses.append(email)
    return result


def levering_organisations(document: Mapping[str, Any]) -> list[str | None]:
    """Per levering of the document, in order, the name of its aanleverende organisatie as `contact_addresses`
    keys it; None for a levering that names no aanleverende organisatie (or is no object at all).

    Position i belongs to `/leveringen/i` in the document and in its validation findings, so a finding can be
    traced to the organisation it concerns.
    """
    return [
        None if organisatie is None else _organisation_name(organisatie)
        for organisatie in _organisations(document)
    ]


def _organisations(document: Mapping[str, Any]) -> list[Mapping[str, Any] | None]:
    """Per levering (a document or an API answer wrapping one in `gegevens`), its aanleverende_organisatie."""
    if isinstance(document.get("gegevens"), Mapping):
        document = document["gegevens"]
    leveringen = document.get("leveringen")
    if not isinstance(leveringen, list):
        return []
    found: list[Mapping[str, Any] | None] = []
    for levering in leveringen:
        organisatie = levering.get("aanleverende_organisatie") if isinstance(levering, Mapping) else None
        found.append(organisatie if isinstance(organisatie, Mapping) else None)
    return found


def _organisation_name(organisatie: Mapping[str, Any]) -> str:
    for key in ("(Statutaire) Naam", "naam"):
        value = organisatie.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return _UNKNOWN_ORGANISATION


def _emails(organisatie: Mapping[str, Any]) -> Iterable[str]:
    for key in ("contactpersonen", "contactpersoonen"):
        persons = organisatie.get(key)
        if not isinstance(persons, list):
            continue
        for person in persons:
            if isinstance(person, Mapping):
                email = person.get("email")
                if isinstance(email, str) and _is_address(email):
                    yield email.strip()


def _is_address(value: str) -> bool:
    """Good enough to hand to a mail server: one `@` with something on both sides, no spaces or controls."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    return (
        bool(at and local and domain)
        and "@" not in local
        and not any(c.isspace() or ord(c) < 32 or c in '<>,;"()[]\\' for c in text)
    )


def send_report(
    settings: SmtpSettings,
    *,
    to: list[str],
    subject: str,
    html: str,
    text: str,
    environ: Mapping[str, str] | None = None,
    message_id: str | None = None,
) -> None:
    """Mail the report (plain text + HTML, the HTML also attached) to `to`; MailError when it does not go out.

    Subject, text and HTML are scrubbed of nine-digit runs before anything is built. When the server accepts
    some recipients and refuses others, the mail has gone to the accepted ones and MailError names the rest.
    `message_id` (`<…@…>`) is used as the Message-ID, so that a report sent again after a crash can be
    recognised as the same message; without it a new one is made. A MailError says with `server` whether the
    server could not be used at all (then every other report would fail too) or only refused this message.
    """
    recipients = _recipients(to)
    message = _message(settings, recipients, scrub(subject), scrub(text), scrub(html), message_id)
    try:
        password = settings.password(environ)
        context = _tls_context(settings) if settings.starttls else None
    except MailError as exc:
        raise MailError(str(exc), server=True) from None
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
            if context is not None:
                smtp.starttls(context=context)
            if settings.username is not None and password is not None:
                smtp.login(settings.username, password)
            refused = smtp.send_message(message, from_addr=settings.sender, to_addrs=recipients)
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"mailserver {where} biedt geen STARTTLS aan", server=True) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"mailserver {where} weigert de inlog van {settings.username} ({exc.smtp_code})", server=True
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(
            f"mailserver {where} weigert alle ontvangers: {', '.join(exc.recipients)}",
            refused=tuple(exc.recipients),
        ) from None
    except smtplib.SMTPDataError as exc:
        reason = scrub(_text(exc.smtp_error))
        raise MailError(f"mailserver {where} weigert het bericht: {exc.smtp_code} {reason}") from None
    except smtplib.SMTPResponseException as exc:
        # Refused at the greeting, HELO or MAIL FROM (the sender): nothing would go through this server now.
        reason = scrub(_text(exc.smtp_error))
        raise MailError(
            f"mailserver {where} weigert het bericht: {exc.smtp_code} {reason}", server=True
        ) from None
    except ssl.SSLError as exc:
        raise MailError(
            f"TLS met mailserver {where} mislukt: {scrub(exc.reason or str(exc))}", server=True
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = scrub(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        raise MailError(
            f"mailserver {where} is niet bereikbaar of breekt af: {reason}", server=True
        ) from None
    if refused:
        names = tuple(refused)
        raise MailError(f"bericht niet afgeleverd bij: {', '.join(names)}", refused=names)


def _recipients(to: Iterable[str]) -> list[str]:
    """Valid, distinct addresses in the given order; MailError when none or a malformed one is given."""
    recipients: list[str] = []
    seen: set[str] = set()
    for address in to:
        if not _is_address(address):
            raise MailError(f"{address!r} is geen e-mailadres")
        address = address.strip()
        if address.casefold() not in seen:
            seen.add(address.casefold())
            recipients.append(address)
    if not recipients:
        raise MailError("geen ontvangers opgegeven")
    return recipients


def _message(
    settings: SmtpSettings, to: list[str], subject: str, text: str, html: str, message_id: str | None
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject.replace("\r", " ").replace("\n", " ")
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain=settings.sender.rpartition("@")[2])
    # RFC 3834: an automatic message, so auto-responders do not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message.add_attachment(
        html.encode("utf-8"),
        maintype="text",
        subtype="html",
        filename=ATTACHMENT_NAME,
    )
    return message


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=settings.tls_ca)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(
            f"CA-bestand {settings.tls_ca} voor de mailserver is niet te gebruiken: {exc}"
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value
