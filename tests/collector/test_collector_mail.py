"""Mailing the op-orde-rapport: addresses from the delivery, a real SMTP server on loopback, no BSN in the mail."""

from __future__ import annotations

import json
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from ddas.collector.errors import CollectorError, MailError
from ddas.collector.mail import ATTACHMENT_NAME, SmtpSettings, contact_addresses, send_report

BSN = "123456782"
HTML = f"<html><body><h1>Op-orde-rapport</h1><p>BSN {BSN} in traject 7</p></body></html>"
TEXT = f"Op-orde-rapport\nBSN {BSN} in traject 7\n"


def _parse(content: bytes) -> EmailMessage:
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _settings(port: int, **extra: Any) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="ddas@cbs.example", timeout_seconds=5, **extra)


# contact_addresses


def test_contact_addresses_from_the_official_examples(spec_dir: Path) -> None:
    shv = json.loads((spec_dir / "shv-v1.0" / "enkelvoudigVoorbeeld.json").read_text(encoding="utf-8"))
    vs = json.loads((spec_dir / "vs-v0.9" / "enkelvoudigVoorbeeld.json").read_text(encoding="utf-8"))
    assert contact_addresses(shv) == {"Schuldhulporganisatie X": ["jan.jansen@schuldhulporganisatiex.nl"]}
    assert contact_addresses(vs) == {"Gemeente Voorbeeld": ["j.devries@gemeentevoorbeeld.nl"]}
    # An API answer wraps the document in `gegevens`.
    assert contact_addresses({"gegevens": vs, "paginering": {}}) == contact_addresses(vs)


def test_contact_addresses_deduplicates_keeps_order_and_skips_malformed() -> None:
    document = {
        "leveringen": [
            {
                "aanleverende_organisatie": {
                    "(Statutaire) Naam": "Org A",
                    "contactpersonen": [
                        {"email": "b@a.example"},
                        {"email": "geen-adres"},
                        {"email": "a@a.example"},
                        {"email": "B@A.example"},
                        {"naam": "zonder e-mail"},
                        {"email": 42},
                        "geen object",
                    ],
                }
            },
            {
                "aanleverende_organisatie": {
                    "naam": "Org B",
                    "contactpersoonen": [{"email": " c@b.example "}, {"email": "twee@@b.example"}],
                }
            },
            {
                "aanleverende_organisatie": {
                    "(Statutaire) Naam": "Org A",
                    "contactpersonen": [{"email": "d@a.example"}],
                }
            },
            {"aanleverende_organisatie": {"naam": "Org C", "contactpersoonen": [{"email": "kapot"}]}},
            {"geen": "organisatie"},
            "geen levering",
        ]
    }
    assert contact_addresses(document) == {
        "Org A": ["b@a.example", "a@a.example", "d@a.example"],
        "Org B": ["c@b.example"],
        "Org C": [],
    }


@pytest.mark.parametrize("document", [{}, {"leveringen": None}, {"leveringen": "x"}, {"gegevens": {}}])
def test_contact_addresses_of_something_else_is_empty(document: dict[str, Any]) -> None:
    assert contact_addresses(document) == {}


# settings


def test_settings_refuse_a_password_without_tls_and_half_a_login() -> None:
    with pytest.raises(ValidationError, match="starttls"):
        SmtpSettings(host="h", sender="a@b.example", username="u", password_env="P")
    with pytest.raises(ValidationError, match="samen"):
        SmtpSettings(host="h", sender="a@b.example", starttls=True, username="u")
    with pytest.raises(ValidationError, match="geen e-mailadres"):
        SmtpSettings(host="h", sender="niemand")


def test_password_comes_from_the_environment() -> None:
    settings = SmtpSettings(
        host="h", sender="a@b.example", starttls=True, username="u", password_env="SMTP_PW"
    )
    assert settings.password({"SMTP_PW": "geheim"}) == "geheim"
    with pytest.raises(MailError, match="SMTP_PW") as caught:
        settings.password({})
    assert "geheim" not in str(caught.value)


# sending


def test_report_reaches_all_addresses_with_both_parts_and_the_attachment(smtp_server: Any) -> None:
    to = ["jan@org.example", "piet@org.example", "JAN@org.example"]
    send_report(_settings(smtp_server.port), to=to, subject="Op-orde-rapport levering", html=HTML, text=TEXT)

    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received.mail_from == "ddas@cbs.example"
    assert received.rcpt_tos == ["jan@org.example", "piet@org.example"]
    message = _parse(received.content)
    assert message["Subject"] == "Op-orde-rapport levering"
    assert message["To"] == "jan@org.example, piet@org.example"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/mixed"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "Op-orde-rapport" in plain.get_content()
    assert "<h1>Op-orde-rapport</h1>" in html.get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [ATTACHMENT_NAME]
    assert attachments[0].get_content_type() == "text/html"
    assert "<h1>Op-orde-rapport</h1>" in attachments[0].get_content()


def test_a_nine_digit_number_never_leaves(smtp_server: Any) -> None:
    send_report(
        _settings(smtp_server.port),
        to=["jan@org.example"],
        subject=f"Rapport over {BSN}",
        html=HTML,
        text=TEXT,
    )
    content = smtp_server.messages[0].content
    assert BSN.encode() not in content
    message = _parse(content)
    texts = [message["Subject"]] + [part.get_content() for part in message.walk() if not part.is_multipart()]
    assert len(texts) == 4  # subject, plain, html, attachment
    for text in texts:
        assert BSN not in text
        assert "*****6782" in text


def test_unreachable_server_is_a_mail_error(unused_port: int) -> None:
    with pytest.raises(MailError, match="niet bereikbaar") as caught:
        send_report(_settings(unused_port), to=["jan@org.example"], subject="s", html=HTML, text=TEXT)
    assert isinstance(caught.value, CollectorError)
    assert BSN not in str(caught.value)
    assert caught.value.server  # every other report would fail the same way


def test_a_given_message_id_is_used(smtp_server: Any) -> None:
    """The outbox gives each report one Message-ID for all its attempts."""
    message_id = "<ddas.abcdefghijklmnopqrstuvwxyz@cbs.example>"
    for _ in range(2):
        send_report(
            _settings(smtp_server.port),
            to=["jan@org.example"],
            subject="s",
            html=HTML,
            text=TEXT,
            message_id=message_id,
        )
    assert [_parse(m.content)["Message-ID"] for m in smtp_server.messages] == [message_id] * 2


def test_refused_recipients_are_named(start_smtp: Any) -> None:
    server = start_smtp(refuse={"weg@org.example"})
    with pytest.raises(MailError, match=r"weg@org\.example") as caught:
        send_report(
            _settings(server.port),
            to=["jan@org.example", "weg@org.example"],
            subject="s",
            html=HTML,
            text=TEXT,
        )
    assert caught.value.refused == ("weg@org.example",)
    assert server.messages[0].rcpt_tos == ["jan@org.example"]

    server = start_smtp(refuse={"weg@org.example"})
    with pytest.raises(MailError, match="alle ontvangers") as refused:
        send_report(_settings(server.port), to=["weg@org.example"], subject="s", html=HTML, text=TEXT)
    assert server.messages == []
    assert not refused.value.server and not caught.value.server  # this message, not the server


@pytest.mark.parametrize("to", [[], ["geen-adres"], ["a@b.example", "x\r\nBcc: c@d.example"]])
def test_bad_recipients_send_nothing(smtp_server: Any, to: list[str]) -> None:
    with pytest.raises(MailError):
        send_report(_settings(smtp_server.port), to=to, subject="s", html=HTML, text=TEXT)
    assert smtp_server.messages == []


def test_starttls_with_login(start_smtp: Any, smtp_tls_context: ssl.SSLContext, pki_root: Path) -> None:
    server = start_smtp(tls=smtp_tls_context, require_starttls=True, logins={"ddas": "wachtwoord"})
    settings = _settings(
        server.port, starttls=True, tls_ca=pki_root, username="ddas", password_env="DDAS_SMTP_PASSWORD"
    )
    send_report(
        settings,
        to=["jan@org.example"],
        subject="Over TLS",
        html=HTML,
        text=TEXT,
        environ={"DDAS_SMTP_PASSWORD": "wachtwoord"},
    )
    assert _parse(server.messages[0].content)["Subject"] == "Over TLS"

    with pytest.raises(MailError, match="inlog") as caught:
        send_report(
            settings,
            to=["jan@org.example"],
            subject="s",
            html=HTML,
            text=TEXT,
            environ={"DDAS_SMTP_PASSWORD": "fout"},
        )
    assert "fout" not in str(caught.value)
    assert caught.value.server
    assert len(server.messages) == 1


def test_starttls_against_an_untrusted_certificate_fails(
    start_smtp: Any, smtp_tls_context: ssl.SSLContext
) -> None:
    server = start_smtp(tls=smtp_tls_context, require_starttls=True)
    with pytest.raises(MailError, match="TLS"):
        send_report(
            _settings(server.port, starttls=True), to=["jan@org.example"], subject="s", html=HTML, text=TEXT
        )
    assert server.messages == []


def test_starttls_when_the_server_offers_none(smtp_server: Any, pki_root: Path) -> None:
    with pytest.raises(MailError, match="STARTTLS"):
        send_report(
            _settings(smtp_server.port, starttls=True, tls_ca=pki_root),
            to=["jan@org.example"],
            subject="s",
            html=HTML,
            text=TEXT,
        )
    assert smtp_server.messages == []
