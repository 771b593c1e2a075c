"""Reading the versioned data files of bot.travel, validated row by row with Pydantic."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

__all__ = ["DATA_DIR", "read_rows"]

DATA_DIR = Path(__file__).parent / "data"

RowT = TypeVar("RowT", bound=BaseModel)


def read_rows(path: Path, model: type[RowT]) -> list[RowT]:
    """Rows of a CSV file as `model` instances; a bad row (invalid, or with more or fewer fields
    than the header) raises ValueError naming file and line."""
    rows: list[RowT] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for line_number, raw in enumerate(reader, start=2):
            if None in raw or None in raw.values():  # a stray or missing comma shifts columns
                raise ValueError(
                    f"{path.name}, regel {line_number}: {len(reader.fieldnames or [])} velden "
                    "verwacht (zet een veld met een komma tussen aanhalingstekens)"
                )
            values = {key: (value if value != "" else None) for key, value in raw.items() if key}
            values = {key: value for key, value in values.items() if value is not None}
            try:
                rows.append(model.model_validate(values))
            except ValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
                    for item in error.errors()
                )
                raise ValueError(f"{path.name}, regel {line_number}: {problems}") from None
    return rows
