"""Factors with provenance: foreign trains above zero, the secretariat's view, loading a list."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.report import TransportMode
from bot.travel import TravelCalculator, available_lists, check_trip, load_factor_list
from bot.travel.factors import BUILTIN_DIR, install_factor_list
from tests.unit.test_travel_emissions import COMPLETE_ROWS, HEADER

SHIPPED = ("co2emissiefactoren-2025", "co2emissiefactoren-2026")


@pytest.mark.parametrize("version", SHIPPED)
def test_a_train_journey_abroad_is_above_zero(version: str) -> None:
    calc = TravelCalculator(emission_list_version=version)
    result = check_trip(calc, "Parijs", mode=TransportMode.TREIN)
    assert result.factor_kg_per_unit > 0
    assert result.kg_co2e == pytest.approx(result.km * result.factor_kg_per_unit, abs=0.1)
    assert result.kg_co2e > 10
    assert "buitenland" in result.factor_class


def test_every_row_of_every_shipped_list_says_where_it_comes_from() -> None:
    for version in SHIPPED:
        for row in load_factor_list(version).rows:
            assert row.source and row.retrieved == "2026-12-01"
            assert not row.verified, "no value was read on the list itself"
    ferry = load_factor_list("co2emissiefactoren-2025").factor_for(TransportMode.VEERBOOT, 100)
    assert "https://" in ferry.source and "Veerboot, gemiddeld" in ferry.source


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_loading_a_valid_list_puts_it_where_the_bot_finds_it(tmp_path: Path) -> None:
    source = _write(tmp_path / "download.csv", COMPLETE_ROWS)
    drop = tmp_path / "lijsten"
    loaded = install_factor_list(source, drop, "co2emissiefactoren-2030")
    assert loaded.path == drop / "co2emissiefactoren-2030.csv"
    assert "co2emissiefactoren-2030" in available_lists(drop)
    calc = TravelCalculator(
        emission_list_version="co2emissiefactoren-2030", emission_factors_dir=drop
    )
    assert calc.list_version == "co2emissiefactoren-2030"


@pytest.mark.parametrize(
    ("rows", "name", "problem"),
    [
        ([r for r in COMPLETE_ROWS if not r.startswith("bus")], "lijst", "geen factor voor bus"),
        (
            [r.replace("0.01,", "0,") if r.startswith("trein") else r for r in COMPLETE_ROWS],
            "lijst",
            "treinfactor is 0",
        ),
        ([*COMPLETE_ROWS, "trein,snel,,,pkm,veel,test,2030,false,1.0,,"], "lijst", "regel 8"),
        (COMPLETE_ROWS, "Lijst 2030!", "Ongeldige lijstnaam"),
        (
            [r.replace("1000,,pkm", "1200,,pkm") for r in COMPLETE_ROWS],
            "lijst",
            "sluiten niet aan",
        ),
    ],
)
def test_loading_a_bad_list_is_refused_with_a_clear_message_and_nothing_written(
    tmp_path: Path, rows: list[str], name: str, problem: str
) -> None:
    source = _write(tmp_path / "download.csv", rows)
    drop = tmp_path / "lijsten"
    with pytest.raises(ValueError, match=problem):
        install_factor_list(source, drop, name)
    assert not drop.exists() or not any(drop.iterdir())


def test_loading_a_file_without_the_columns_or_not_csv_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "lijst.csv"
    bad.write_text("Categorie;Eenheid;WTW\nTrein;pkm;0,019\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kolommen ontbreken"):
        install_factor_list(bad, tmp_path / "d")
    excel = tmp_path / "lijst.xlsx"
    excel.write_bytes(b"PK\x03\x04")
    with pytest.raises(ValueError, match="alleen een CSV"):
        install_factor_list(excel, tmp_path / "d")


def test_factors_command_shows_provenance_and_loads_a_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMISSION_FACTORS_DIR", str(tmp_path / "lijsten"))
    (tmp_path / "lijsten").mkdir()
    assert main(["factors"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Emissielijst co2emissiefactoren-2025")
    assert "0 van 11 factoren geverifieerd" in out
    assert "- trein, buitenland: 0.019 kg CO2e per pkm (NIET geverifieerd" in out
    assert out.count("  bron: ") == 11
    source = _write(tmp_path / "nieuw-2030.csv", COMPLETE_ROWS)
    assert main(["factors", "load", str(source)]) == 0
    assert "Geladen als nieuw-2030" in capsys.readouterr().out
    assert main(["factors", "--version", "nieuw-2030"]) == 0
    assert "Emissielijst nieuw-2030" in capsys.readouterr().out
    assert main(["factors", "load", str(BUILTIN_DIR / "bestaat-niet.csv")]) == 2
    assert "niet gevonden" in capsys.readouterr().err
