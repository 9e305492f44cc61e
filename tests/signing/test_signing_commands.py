"""`ddas certs init`: Dutch output, refusal without --force, exit 2 on bad input, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ddas.signing.commands import certs_app
from ddas.signing.keys import load_certificates, subject_serial_number
from ddas.signing.pki import PKI_FILES

runner = CliRunner()


def test_init_creates_the_pki_refuses_a_second_time_and_replaces_with_force(tmp_path: Path) -> None:
    target = tmp_path / "certs"
    result = runner.invoke(certs_app, ["init", str(target), "--provider-oin", "00000001111111111000"])
    assert result.exit_code == 0, result.output
    assert "Ontwikkel-PKI gemaakt" in result.output and "niet voor productie" in result.output
    for name in PKI_FILES:
        assert (target / name).is_file()
        assert name in result.output
    provider = load_certificates(target / "provider-sign.pem")[0]
    assert subject_serial_number(provider) == "00000001111111111000"
    root_before = (target / "root-ca.pem").read_bytes()

    again = runner.invoke(certs_app, ["init", str(target)])
    assert again.exit_code == 2
    assert "--force" in again.output and "Traceback" not in again.output
    assert (target / "root-ca.pem").read_bytes() == root_before

    forced = runner.invoke(certs_app, ["init", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert (target / "root-ca.pem").read_bytes() != root_before


def test_bad_oin_exits_2_with_a_dutch_message(tmp_path: Path) -> None:
    result = runner.invoke(certs_app, ["init", str(tmp_path / "x"), "--consumer-oin", "12345"])
    assert result.exit_code == 2
    assert "20 cijfers" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x").exists()


def test_unwritable_target_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("ik ben een bestand")
    result = runner.invoke(certs_app, ["init", str(blocker / "certs")])
    assert result.exit_code == 2
    assert "kan de PKI niet" in result.output and "Traceback" not in result.output


def test_help_is_dutch() -> None:
    result = runner.invoke(certs_app, ["init", "--help"])
    assert result.exit_code == 0
    assert "ontwikkel-PKI" in result.output or "Maak een ontwikkel" in result.output
