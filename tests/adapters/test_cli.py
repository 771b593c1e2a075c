"""The command line: check, render and diagram, as a secretariat or planner would call them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from testkit.example_report import example_report

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`reisverslag ARGS` in a fresh process, without any .env."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )


def test_check_json_for_the_example_trip(tmp_path: Path) -> None:
    result = run_cli("check", "--to", "Wenen", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert abs(data["km"] - 1918) <= 3
    assert data["kg_co2e"] == pytest.approx(data["km"] * data["factor_kg_per_unit"], rel=1e-3)
    assert data["factor_kg_per_unit"] == 0.172
    assert 10 < data["rail_hours"] < 13 and data["rail_hours_estimated"] is False
    assert data["rail_route"].startswith("trein Den Haag – ") and "München" in data["rail_route"]
    assert data["justification_required"] is False
    assert data["factor_source"]


def test_check_paris_needs_a_justification_and_explains_in_dutch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--to", "Parijs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["justification_required"] is True
    assert main(["check", "--to", "Londen", "--mode", "trein"]) == 0
    text = capsys.readouterr().out
    assert "km" in text and "Londen" in text


def test_check_explains_in_english_with_lang(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--to", "Londen", "--mode", "trein", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Train The Hague → London (United Kingdom) (return, 1 person)")
    assert "(rail model: fastest timetabled trains plus connection times)" in text
    assert "(through the Channel Tunnel), changing in Rotterdam and Brussels." in text
    assert ", class abroad, list " in text and "buitenland" not in text
    assert "Within 8 hours by train: flying would need a justification." in text
    assert main(["check", "--to", "Londen", "--mode", "trein"]) == 0
    dutch = capsys.readouterr().out
    assert "(door de Kanaaltunnel), met overstap in Rotterdam en Brussel." in dutch
    assert ", klasse buitenland, lijst " in dutch


def test_check_car_counts_the_car_not_the_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--to", "Antwerpen", "--mode", "auto", "--persons", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kg_co2e"] == pytest.approx(data["km"] * 0.193, rel=1e-3)


def test_check_unknown_place_exits_non_zero(tmp_path: Path) -> None:
    result = run_cli("check", "--to", "Qwxzrtplaats", "--json", cwd=tmp_path)
    assert result.returncode != 0
    assert "Qwxzrtplaats" in result.stderr
    assert json.loads(result.stdout) == {"error": result.stderr.strip(), "options": []}


def test_render_a_corrected_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = example_report(purpose="Gecorrigeerd doel {{ 7*7 }} & <b>x</b>")
    source = tmp_path / "verslag.json"
    source.write_text(report.model_dump_json(indent=2), encoding="utf-8")
    assert (
        main(["render", str(source), "--out", str(tmp_path / "out"), "--format", "txt,docx,pdf"])
        == 0
    )
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).suffix for p in printed) == [".docx", ".pdf", ".txt"]
    text = (tmp_path / "out" / "verslag-dienstreis-2025-04-27-wenen.txt").read_text(
        encoding="utf-8"
    )
    assert "Gecorrigeerd doel {{ 7*7 }} & <b>x</b>" in text


def test_render_refuses_a_broken_file(tmp_path: Path) -> None:
    source = tmp_path / "kapot.json"
    source.write_text('{"persons": 0}', encoding="utf-8")
    assert main(["render", str(source), "--out", str(tmp_path / "out")]) == 2


def test_diagram_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---") and "stateDiagram-v2" in out and "review --> confirm" in out


def test_check_an_ambiguous_name_lists_the_options_with_and_without_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", "--to", "Frankfort"]) == 2
    text = capsys.readouterr().err
    lines = text.splitlines()
    assert lines[0] == "Welke Frankfort bedoel je?"
    assert lines[1] == "• Frankfurt am Main (Duitsland): --to 'Frankfurt am Main (Duitsland)'"
    assert "Frankfort (Zuid-Afrika)" in text
    assert main(["check", "--to", "Frankfort", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["error"] == "Welke Frankfort bedoel je?"
    assert data["options"][0] == {
        "label": "Frankfurt am Main (Duitsland)",
        "to": "Frankfurt am Main (Duitsland)",
    }
    assert len(data["options"]) >= 3
    for option in data["options"]:
        assert main(["check", "--to", option["to"], "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["destination"] == option["label"].split(",")[0]


def test_personal_data_as_json_and_erased_on_request(tmp_path: Path) -> None:
    from bot.report import Traveller
    from bot.store import Store

    database = tmp_path / "r.sqlite3"
    with Store.open(f"sqlite:///{database}") as store:
        store.profiles.save(
            Traveller(name="Els Smit", department="Financiën", user_ref="telegram:77"),
            telegram_user_id=77,
        )
        store.drafts.save("telegram:77", {"answers": {"purpose": "Congres"}})
    env = ["--telegram-id", "77"]
    cli = [sys.executable, "-m", "bot", "gegevens", *env]
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    environment["DATABASE_URL"] = f"sqlite:///{database}"
    shown = subprocess.run(cli, capture_output=True, text=True, cwd=tmp_path, env=environment)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["account"]["name"] == "Els Smit" and data["draft"]["state"]["answers"]
    erased = subprocess.run(
        [*cli, "--verwijder"], capture_output=True, text=True, cwd=tmp_path, env=environment
    )
    assert erased.returncode == 0, erased.stderr
    assert json.loads(erased.stdout)["drafts"] == 1
    with Store.open(f"sqlite:///{database}") as store:
        assert store.profiles.profile("telegram:77") is None
        assert store.drafts.load("telegram:77") is None
