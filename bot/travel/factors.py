"""Emission factor lists: one CSV per list version in data/emission_factors/ (or a drop-in dir).

Columns: mode, class, band_min_km, band_max_km, unit (pkm|vkm), kg_co2e_wtw, source,
source_label (optional: the source in a few Dutch words, as /check shows it to a traveller;
`source` itself is the full provenance), year, verified, uplift, retrieved, note,
secondary_source (optional: another publication quoting the list, with its date; it never
makes a row verified). A flight row applies when
band_min_km <= one-way km < band_max_km (an empty max is open-ended). A car row is chosen by its class = fuel
('onbekend', 'benzine', 'diesel', 'elektrisch'); a ferry row by 'autopassagier' when a car
is taken on board, else 'voetpassagier'; other modes (and lists without that class) use
their first row.
`uplift` multiplies the distance before the factor (1.0: plain great-circle distance).
A file in the drop-in directory with the same name as a shipped one replaces it.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.formatting import format_number
from bot.i18n import N_
from bot.report import CarFuel, TransportMode
from bot.travel._data import DATA_DIR, read_rows

__all__ = [
    "FACTOR_CLASSES",
    "FACTOR_SOURCE_LABELS",
    "FactorList",
    "FactorRow",
    "available_lists",
    "install_factor_list",
    "load_factor_list",
    "provenance_text",
    "read_list_file",
]

#: Ferry rows: a traveller on foot, or travelling with the car they drive on board.
FERRY_ON_FOOT = "voetpassagier"
FERRY_WITH_CAR = "autopassagier"

_VERSION_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

BUILTIN_DIR = DATA_DIR / "emission_factors"
_COLUMNS = ("mode", "class", "unit", "kg_co2e_wtw", "source", "year", "verified")
_ALL_COLUMNS = (
    "mode", "class", "band_min_km", "band_max_km", "unit", "kg_co2e_wtw",
    "source", "source_label", "year", "verified", "uplift", "retrieved", "note", "secondary_source",
)  # fmt: skip
#: Other names a column may have in a list file (Dutch, or the official list's own headers).
_SYNONYMS = {
    "mode": ("modus", "modaliteit", "vervoerwijze", "vervoermiddel", "vervoer"),
    "class": ("klasse", "categorie", "soort", "type", "brandstof"),
    "band_min_km": ("vanaf km", "van km", "min km", "afstand vanaf", "band vanaf"),
    "band_max_km": ("tot km", "max km", "afstand tot", "band tot"),
    "unit": ("eenheid",),
    "kg_co2e_wtw": (
        "wtw", "factor", "emissiefactor", "kg co2e wtw", "kg co2/eenheid (wtw)",
        "kg co2-eq/eenheid (wtw)", "kg co2-eq / eenheid (wtw)", "totaal (wtw)",
    ),
    "source": ("bron",),
    "source_label": ("bron kort", "korte bron"),
    "year": ("jaar", "lijstjaar"),
    "verified": ("geverifieerd", "gecontroleerd"),
    "uplift": ("toeslag", "opslag"),
    "retrieved": ("geraadpleegd", "nagezocht", "datum"),
    "note": ("toelichting", "opmerking", "opmerkingen"),
    "secondary_source": ("secundaire bron",),
}  # fmt: skip
#: A list file is a few dozen rows: anything far bigger is refused before it is read.
MAX_FILE_BYTES = 2_000_000
MAX_UNPACKED_BYTES = 20_000_000
MAX_ROWS = 500
MAX_COLUMNS = 40
_HEADER_SEARCH_ROWS = 30


#: Every class of the factor lists, catalogued: a reader sees the class in their language
#: (`tests/unit/test_travel_emissions.py` checks that each class in the data is here).
FACTOR_CLASSES = (
    N_("buitenland"),
    N_("benzine"),
    N_("diesel"),
    N_("elektrisch"),
    N_("onbekend"),
    N_("gemiddeld"),
    N_("autopassagier"),
    N_("voetpassagier"),
    N_("tot 700 km"),
    N_("700-2500 km"),
    N_("meer dan 2500 km"),
)

#: The shipped lists' `source_label`s, catalogued like the classes (a list installed later
#: shows its own labels as written).
FACTOR_SOURCE_LABELS = (
    N_("CO2emissiefactoren.nl, lijst 2025, zoals door derden geciteerd"),
    N_("CO2emissiefactoren.nl, lijst 2026 (elektrische trein), zoals door derden geciteerd"),
    N_("naast de lijsten van CO2emissiefactoren.nl geciteerd; jaar van de lijst onzeker"),
    N_("lijst 2026 niet gevonden: waarde van de lijst 2025, zoals door derden geciteerd"),
    N_("Britse overheid (DESNZ), omrekenfactoren broeikasgassen voor veerboten"),
)


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
    source_label: str = ""
    year: int = Field(ge=1990, le=2100)
    verified: bool
    uplift: float = Field(default=1.0, ge=1.0, le=3.0)
    retrieved: str = ""
    note: str = ""
    secondary_source: str = ""

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
        self,
        mode: TransportMode,
        km_one_way: float,
        fuel: CarFuel | None = None,
        car_on_board: bool = False,
    ) -> FactorRow:
        """The factor row for one leg: flight band by distance, car by fuel, ferry by car on board."""
        rows = [row for row in self.rows if row.mode == mode]
        wanted = None
        if mode == TransportMode.AUTO:
            wanted = (fuel or CarFuel.ONBEKEND).value
        elif mode == TransportMode.VEERBOOT:
            wanted = FERRY_WITH_CAR if car_on_board else FERRY_ON_FOOT
        if wanted is not None:
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
    secondary = sum(bool(row.secondary_source) and not row.verified for row in factors.rows)
    lines = [
        f"Emissielijst {factors.version} ({factors.path})",
        f"{verified} van {len(factors.rows)} factoren geverifieerd bij de bron; "
        f"{secondary} alleen in een secundaire bron gevonden (een andere publicatie die de "
        "lijst citeert).",
    ]
    for row in factors.rows:
        status = "geverifieerd" if row.verified else "NIET geverifieerd"
        checked = f", bron nagezocht {row.retrieved}" if row.retrieved else ""
        lines += [
            f"- {row.mode.value}, {row.factor_class}: {row.kg_co2e_wtw:g} kg CO2e per {row.unit} "
            f"({status}{checked})",
            f"  bron: {row.source}",
        ]
        if row.secondary_source:
            lines.append(f"  secundaire bron: {row.secondary_source}")
    lines += [
        "Keuzes bij het rekenen:",
        f"- veerboot: '{FERRY_WITH_CAR}' als de reiziger met de auto aan boord ging (een "
        "autostrekking van de reis begint of eindigt waar de veerboot vaart), anders "
        f"'{FERRY_ON_FOOT}'.",
        "- trein: de hele treinreis naar het buitenland krijgt de treinfactor, ook het "
        "Nederlandse deel (100 tot 280 km; zie bot/travel/data/README.md).",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Table:
    """The rows of one sheet (or CSV file) under its header, with where they came from."""

    where: str
    line_word: str
    headers: dict[str, tuple[int, str]]
    rows: list[tuple[int, list[Any]]]
    header_width: int  # cells in the header row


def _normal(text: object) -> str:
    """A header cell compared loosely: lower case, single spaces, '_' as a space, CO₂ as CO2."""
    value = str(text or "").replace("\u2082", "2").replace("_", " ").lower()
    return " ".join(value.split())


def _column_names(cells: list[Any]) -> dict[str, tuple[int, str]]:
    """Canonical column -> (index, header as written) for the header cells that name one."""
    found: dict[str, tuple[int, str]] = {}
    for index, cell in enumerate(cells):
        text = _normal(cell)
        for column in _ALL_COLUMNS:
            names = {_normal(column), *(_normal(name) for name in _SYNONYMS.get(column, ()))}
            if text in names and column not in found:
                found[column] = (index, str(cell).strip())
    return found


def _find_header(where: str, line_word: str, lines: list[tuple[int, list[Any]]]) -> _Table:
    """The first row naming every needed column; a Dutch error naming the closest one otherwise."""
    best: tuple[int, dict[str, tuple[int, str]]] = (0, {})
    for position, (number, cells) in enumerate(lines[:_HEADER_SEARCH_ROWS]):
        columns = _column_names(cells)
        if all(column in columns for column in _COLUMNS):
            return _Table(where, line_word, columns, lines[position + 1 :], len(cells))
        if len(columns) > len(best[1]):
            best = (number, columns)
    number, columns = best
    missing = ", ".join(column for column in _COLUMNS if column not in columns)
    found = f" (kopregel gezocht; {line_word} {number} lijkt er het meest op)" if number else ""
    hint = ""
    if "kg_co2e_wtw" in columns and "mode" not in columns:
        hint = (
            " Dit lijkt de lijst van co2emissiefactoren.nl zelf: neem de rijen voor vliegtuig, "
            "auto, bus, trein en veerboot over in een blad met de kolommen "
            f"{', '.join(_ALL_COLUMNS)}."
        )
    raise ValueError(f"{where}: kolommen ontbreken: {missing}{found}.{hint}")


def _check_size(source: Path) -> None:
    """Refuse a file far bigger than any factor list."""
    if source.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(
            f"{source.name}: het bestand is groter dan {MAX_FILE_BYTES // 1_000_000} MB; "
            "een emissielijst is veel kleiner. Controleer of dit het goede bestand is."
        )


def _limited(lines: Iterator[tuple[int, list[Any]]], where: str) -> list[tuple[int, list[Any]]]:
    """At most MAX_ROWS rows with content; more is refused."""
    kept: list[tuple[int, list[Any]]] = []
    for number, cells in lines:
        if not any(cell not in (None, "") for cell in cells):
            continue
        if len(kept) == MAX_ROWS:
            raise ValueError(
                f"{where}: meer dan {MAX_ROWS} gevulde rijen; dit is geen emissielijst."
            )
        kept.append((number, cells))
    return kept


#: A CSV file's separator as the secretariat would name it in an error.
_DELIMITER_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab"}


def _csv_table(source: Path) -> _Table:
    """A CSV file (',', ';' or tab separated, UTF-8) as a table."""
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{source.name}: geen UTF-8-tekst; sla het op als CSV (UTF-8)") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = (
        (number, [cell[:1000] for cell in row[:MAX_COLUMNS]])
        for number, row in enumerate(reader, 1)
    )
    table = _find_header(source.name, "regel", _limited(rows, source.name))
    for number, cells in table.rows:
        if any(cell not in (None, "") for cell in cells[table.header_width :]):
            raise ValueError(
                f"{source.name}, regel {number}: meer velden dan de kopregel heeft "
                f"({table.header_width}). Staat er een {_DELIMITER_NAMES[delimiter]} in een "
                "tekst? Zet die tekst tussen aanhalingstekens."
            )
    return table


def _xlsx_table(source: Path) -> _Table:
    """The first sheet of an Excel workbook with the needed columns; values only, no formulas."""
    if not zipfile.is_zipfile(source):
        raise ValueError(f"{source.name}: geen geldig Excel-bestand (.xlsx).")
    with zipfile.ZipFile(source) as archive:
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ValueError(
                f"{source.name}: het Excel-bestand pakt uit tot meer dan 20 MB; geweigerd."
            )
    try:
        workbook = load_workbook(source, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValueError(
            f"{source.name}: geen leesbaar Excel-bestand ({type(error).__name__})."
        ) from None
    try:
        problems: list[str] = []
        for sheet in workbook.worksheets[:20]:
            where = f"{source.name}, blad '{sheet.title}'"
            lines = []
            for number, cells in enumerate(
                sheet.iter_rows(max_row=MAX_ROWS * 4, max_col=MAX_COLUMNS), start=1
            ):
                for cell in cells:
                    if getattr(cell, "data_type", None) == "f":
                        letter = get_column_letter(cell.column or 1)
                        raise ValueError(
                            f"{where}, rij {number}, kolom {letter}: een formule "
                            f"({str(cell.value)[:40]}). Formules worden niet uitgerekend; "
                            "plak de waarden (Plakken speciaal > Waarden) en laad opnieuw."
                        )
                lines.append((number, [cell.value for cell in cells]))
            try:
                return _find_header(where, "rij", _limited(iter(lines), where))
            except ValueError as error:
                if "kolommen ontbreken" not in str(error):
                    raise
                problems.append(str(error))
        raise ValueError(" ".join(problems) or f"{source.name}: het werkboek heeft geen bladen.")
    finally:
        workbook.close()


_DUTCH_ERRORS = {
    "float_parsing": "is geen getal",
    "float_type": "is geen getal",
    "int_parsing": "is geen geheel getal",
    "int_type": "is geen geheel getal",
    "int_from_float": "is geen geheel getal",
    "bool_parsing": "moet ja of nee zijn",
    "bool_type": "moet ja of nee zijn",
    "missing": "is leeg",
    "string_too_short": "is leeg",
    "enum": "is geen bekende vervoerwijze (vliegtuig, auto, bus, trein, veerboot)",
    "literal_error": "moet pkm of vkm zijn",
}


def _cell_value(column: str, value: Any) -> Any:
    """A cell as the row model expects it: decimal commas, ja/nee, dates as text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, str):
        value = value.strip()
        if column in ("band_min_km", "band_max_km", "kg_co2e_wtw", "uplift", "year"):
            return value.replace(" ", "").replace(",", ".")
        if column == "verified":
            return {"ja": "true", "nee": "false", "waar": "true", "onwaar": "false"}.get(
                value.lower(), value
            )
        if column == "mode":
            return value.lower()
    if column == "year" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _dutch(error: Any) -> str:
    """One validation problem in Dutch (the model's own Dutch text for its own checks)."""
    kind = str(error["type"])
    if kind in _DUTCH_ERRORS:
        return _DUTCH_ERRORS[kind]
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limits = {"greater_than_equal": "minstens", "greater_than": "meer dan"}
        bound = next(iter(error.get("ctx", {}).values()), "")
        return f"moet {limits.get(kind, 'hoogstens')} {bound} zijn"
    return str(error["msg"]).removeprefix("Value error, ")


def _table_rows(table: _Table) -> list[FactorRow]:
    """The table's rows as factor rows; a Dutch error names the sheet, row and column."""
    rows: list[FactorRow] = []
    for number, cells in table.rows:
        values = {
            column: _cell_value(column, cells[index] if index < len(cells) else None)
            for column, (index, _) in table.headers.items()
        }
        try:
            rows.append(
                FactorRow.model_validate({k: v for k, v in values.items() if v is not None})
            )
        except ValidationError as error:
            problem = error.errors()[0]
            column = str(problem["loc"][0]) if problem["loc"] else ""
            if column in table.headers:
                index, header = table.headers[column]
                raw = cells[index] if index < len(cells) else None
                shown = f" ('{str(raw)[:40]}')" if raw not in (None, "") else ""
                place = f", kolom '{header}' ({get_column_letter(index + 1)}){shown}"
            else:
                place = ""
            raise ValueError(
                f"{table.where}, {table.line_word} {number}{place}: {_dutch(problem)}"
            ) from None
    return rows


def read_list_file(source: Path) -> list[FactorRow]:
    """The factor rows of a CSV or Excel (.xlsx) list file, checked cell by cell."""
    if not source.is_file():
        raise ValueError(f"Bestand niet gevonden: {source}")
    suffix = source.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(
            f"{source.name}: alleen een CSV- of Excel-bestand (.xlsx) met de kolommen "
            f"{', '.join(_COLUMNS)} kan worden geladen."
        )
    _check_size(source)
    return _table_rows(_xlsx_table(source) if suffix == ".xlsx" else _csv_table(source))


def install_factor_list(source: Path, target_dir: Path, version: str | None = None) -> FactorList:
    """Validate a CSV or Excel list file and write it into the drop-in directory as <version>.csv."""
    name = version or source.stem
    if not _VERSION_NAME.fullmatch(name):
        raise ValueError(
            f"Ongeldige lijstnaam '{name}': gebruik kleine letters, cijfers, '-', '.' of '_', "
            "bijvoorbeeld 'co2emissiefactoren-2026'."
        )
    checked = _validate(name, source, read_list_file(source))
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{name}.csv"
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=_ALL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in checked.rows:
            record = row.model_dump(by_alias=True)
            writer.writerow(
                {
                    key: ("true" if value else "false")
                    if isinstance(value, bool)
                    else ("" if value is None else value)
                    for key, value in record.items()
                }
            )
    temporary.replace(target)
    load_factor_list.cache_clear()
    return FactorList(version=checked.version, path=target, rows=checked.rows)
