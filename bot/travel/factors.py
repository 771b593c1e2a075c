"""Emission factor lists: one CSV per list version in data/emission_factors/ (or a drop-in dir).

Columns: mode, class, band_min_km, band_max_km, unit (pkm|vkm), kg_co2e_wtw, source, year,
verified, uplift, retrieved, note. A flight row applies when band_min_km <= one-way km <
band_max_km (an empty max is open-ended). A car row is chosen by its class = fuel
('onbekend', 'benzine', 'diesel', 'elektrisch'); other modes use their first row.
`uplift` multiplies the distance before the factor (1.0: plain great-circle distance).
A file in the drop-in directory with the same name as a shipped one replaces it.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.formatting import format_number
from bot.report import CarFuel, TransportMode
from bot.travel._data import DATA_DIR, read_rows

__all__ = [
    "FactorList",
    "FactorRow",
    "available_lists",
    "install_factor_list",
    "load_factor_list",
    "provenance_text",
]

_VERSION_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

BUILTIN_DIR = DATA_DIR / "emission_factors"
_COLUMNS = ("mode", "class", "unit", "kg_co2e_wtw", "source", "year", "verified")


class FactorRow(BaseModel):
    """One emission factor with its provenance."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    mode: TransportMode
    factor_class: str = Field(alias="class", min_length=1)
    band_min_km: float | None = Field(default=None, ge=0)
    band_max_km: float | None = Field(default=None, gt=0)
    unit: Literal["pkm", "vkm"]
    kg_co2e_wtw: float = Field(ge=0, le=5)
    source: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    verified: bool
    uplift: float = Field(default=1.0, ge=1.0, le=3.0)
    retrieved: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _band_in_order(self) -> FactorRow:
        if (
            self.band_min_km is not None
            and self.band_max_km is not None
            and self.band_max_km <= self.band_min_km
        ):
            raise ValueError("band_max_km moet groter zijn dan band_min_km")
        return self

    def covers(self, km_one_way: float) -> bool:
        """Whether a one-way distance falls in this row's band (no band: always)."""
        low = self.band_min_km or 0.0
        high = self.band_max_km if self.band_max_km is not None else math.inf
        return low <= km_one_way < high


@dataclass(frozen=True)
class FactorList:
    """A validated emission factor list of one version."""

    version: str
    path: Path
    rows: tuple[FactorRow, ...]

    def factor_for(
        self, mode: TransportMode, km_one_way: float, fuel: CarFuel | None = None
    ) -> FactorRow:
        """The factor row for one leg: flight band by distance, car by fuel, else the first row."""
        rows = [row for row in self.rows if row.mode == mode]
        if mode == TransportMode.AUTO:
            wanted = (fuel or CarFuel.ONBEKEND).value
            rows = [row for row in rows if row.factor_class == wanted] or rows
        banded = [row for row in rows if row.covers(km_one_way)]
        if not banded:
            raise ValueError(
                f"De emissielijst {self.version} heeft geen factor voor {mode.value} "
                f"over {format_number(km_one_way, 0)} km."
            )
        return banded[0]


def _validate(version: str, path: Path, rows: list[FactorRow]) -> FactorList:
    """Check that every mode has a factor and that flight bands cover all distances."""
    missing = [mode.value for mode in TransportMode if not any(r.mode == mode for r in rows)]
    if missing:
        raise ValueError(f"{path.name}: geen factor voor {', '.join(missing)}")
    flights = sorted(
        (r for r in rows if r.mode == TransportMode.VLIEGTUIG), key=lambda r: r.band_min_km or 0.0
    )
    edge = 0.0
    for row in flights:
        if (row.band_min_km or 0.0) != edge:
            raise ValueError(f"{path.name}: vliegtuigbanden sluiten niet aan bij {edge:g} km")
        edge = row.band_max_km if row.band_max_km is not None else math.inf
    if edge != math.inf:
        raise ValueError(f"{path.name}: geen vliegtuigband boven {edge:g} km")
    zero_train = [r for r in rows if r.mode == TransportMode.TREIN and r.kg_co2e_wtw == 0]
    if zero_train:
        raise ValueError(
            f"{path.name}: de treinfactor is 0. Die 0 geldt alleen voor Nederlandse treinen op "
            "windstroom; geef voor treinreizen naar het buitenland een factor boven 0."
        )
    return FactorList(version=version, path=path, rows=tuple(rows))


def _files(extra_dir: Path | None) -> dict[str, Path]:
    """Version name -> file, shipped lists first, the drop-in directory overriding them."""
    files = {path.stem: path for path in sorted(BUILTIN_DIR.glob("*.csv"))}
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise ValueError(f"Map met emissiefactoren bestaat niet: {extra_dir}")
        files.update({path.stem: path for path in sorted(extra_dir.glob("*.csv"))})
    return files


def available_lists(extra_dir: Path | None = None) -> list[str]:
    """Names of every list version that can be used."""
    return sorted(_files(extra_dir))


@functools.cache
def load_factor_list(version: str, extra_dir: Path | None = None) -> FactorList:
    """The validated list of this version; ValueError names the problem or the versions there are."""
    files = _files(extra_dir)
    if version not in files:
        raise ValueError(
            f"Emissielijst '{version}' bestaat niet; beschikbaar: {', '.join(sorted(files))}"
        )
    path = files[version]
    return _validate(version, path, read_rows(path, FactorRow))


def provenance_text(factors: FactorList) -> str:
    """For the secretariat: every row of a list with its value, source and whether it was verified."""
    verified = sum(row.verified for row in factors.rows)
    lines = [
        f"Emissielijst {factors.version} ({factors.path})",
        f"{verified} van {len(factors.rows)} factoren geverifieerd bij de bron.",
    ]
    for row in factors.rows:
        status = "geverifieerd" if row.verified else "NIET geverifieerd"
        checked = f", bron nagezocht {row.retrieved}" if row.retrieved else ""
        lines += [
            f"- {row.mode.value}, {row.factor_class}: {row.kg_co2e_wtw:g} kg CO2e per {row.unit} "
            f"({status}{checked})",
            f"  bron: {row.source}",
        ]
    return "\n".join(lines)


def install_factor_list(source: Path, target_dir: Path, version: str | None = None) -> FactorList:
    """Validate a list file and copy it into the drop-in directory as <version>.csv."""
    name = version or source.stem
    if not _VERSION_NAME.fullmatch(name):
        raise ValueError(
            f"Ongeldige lijstnaam '{name}': gebruik kleine letters, cijfers, '-', '.' of '_', "
            "bijvoorbeeld 'co2emissiefactoren-2026'."
        )
    if not source.is_file():
        raise ValueError(f"Bestand niet gevonden: {source}")
    if source.suffix.lower() != ".csv":
        raise ValueError(
            f"{source.name}: alleen een CSV-bestand met de kolommen "
            f"{', '.join(_COLUMNS)} kan worden geladen."
        )
    with source.open(encoding="utf-8", newline="") as handle:
        header = handle.readline().strip().lstrip("\ufeff").split(",")
    missing = [column for column in _COLUMNS if column not in header]
    if missing:
        raise ValueError(f"{source.name}: kolommen ontbreken: {', '.join(missing)}")
    try:
        rows = read_rows(source, FactorRow)
    except UnicodeDecodeError:
        raise ValueError(f"{source.name}: geen UTF-8-tekst; sla het op als CSV (UTF-8)") from None
    checked = _validate(name, source, rows)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{name}.csv"
    temporary = target.with_name(target.name + ".tmp")
    shutil.copyfile(source, temporary)
    temporary.replace(target)
    load_factor_list.cache_clear()
    return FactorList(version=checked.version, path=target, rows=checked.rows)
