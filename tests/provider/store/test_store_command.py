"""`ddas import` as a user meets it: exit codes, the summary in text and JSON, and no BSN anywhere."""

from __future__ import annotations

import io
import json
from pathlib import Path

import orjson
import pytest
import typer
from _store_helpers import NINE_DIGITS, shv, trajecten
from typer.testing import CliRunner

from ddas.provider.commands import ImportFormat, import_command, run_import
from ddas.provider.store import Store


def _run(source: Path, url: str, *args: str) -> tuple[int, str, str]:
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("andere")(lambda: None)  # a second command, so that "import" is a sub-command as in ddas
    result = CliRunner().invoke(app, ["import", str(source), "--store", url, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "levering.json"
    path.write_bytes(orjson.dumps(shv(60, seed=51)))
    return path


def test_everything_imported_exits_0(clean: Path, store_url: str) -> None:
    code, out, _ = _run(clean, store_url)
    assert code == 0
    assert "gelezen" in out and "nieuw" in out and "alles geïmporteerd (60 record(s))" in out
    code, out, _ = _run(clean, store_url)
    assert code == 0 and "ongewijzigd" in out
    with Store.open(store_url) as store:
        assert store.counts()["trajecten"] == 60


def test_rejections_exit_1_with_reasons(tmp_path: Path, store_url: str) -> None:
    document = shv(30, seed=52)
    trajecten(document)[2]["client"][0]["Burgerservicenummer"] = "123456789"
    trajecten(document)[4]["totaalSchuldbedragBijAanvangSchuld"] += 1
    source = tmp_path / "fouten.json"
    source.write_bytes(orjson.dumps(document))
    code, out, _ = _run(source, store_url)
    assert code == 1
    assert "BSN_INVALID '*****6789'" in out
    assert "Tegengehouden records (1)" in out and "--accept-warnings" in out
    assert not NINE_DIGITS.search(out)

    code, out, _ = _run(source, store_url, "--accept-warnings", "--format", "json")
    assert code == 1  # the invalid BSN stays out, with or without --accept-warnings
    data = json.loads(out)
    assert (
        data["totals"]["rejected"] == 1 and data["totals"]["new"] == 1 and data["totals"]["unchanged"] == 28
    )
    assert data["rejected"][0]["problems"][0] == {
        "code": "BSN_INVALID",
        "severity": "error",
        "path": "/leveringen/0/schuldhulptrajecten/2/client/0/Burgerservicenummer",
        "message": data["rejected"][0]["problems"][0]["message"],
        "value": "*****6789",
    }
    assert not NINE_DIGITS.search(out)


def test_usage_errors_exit_2(tmp_path: Path, store_url: str) -> None:
    code, _, err = _run(tmp_path / "bestaat-niet.json", store_url)
    assert code == 2 and "bestaat niet" in err
    broken = tmp_path / "kapot.json"
    broken.write_bytes(b'{"leveringen": [')
    code, _, err = _run(broken, store_url)
    assert code == 2 and "geen leesbare JSON" in err
    export = tmp_path / "export.csv"
    export.write_text("a;b\n1;2\n", encoding="utf-8")
    code, _, err = _run(export, store_url)
    assert code == 2 and "--mapping" in err
    code, _, err = _run(broken, "mysql://iemand@ergens/db")
    assert code == 2 and "niet ondersteund" in err


def test_unreachable_store_exits_3(clean: Path) -> None:
    err = io.StringIO()
    code = run_import(clean, "postgresql+psycopg://postgres@127.0.0.1:1/ddas", err=err)
    assert code == 3 and "niet bereikbaar" in err.getvalue()


def test_run_import_writes_json_to_the_given_stream(clean: Path, store_url: str) -> None:
    out = io.StringIO()
    code = run_import(clean, store_url, output_format=ImportFormat.json, out=out)
    assert code == 0
    assert json.loads(out.getvalue())["counts"]["traject"]["new"] == 60
