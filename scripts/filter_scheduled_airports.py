"""Drop heliports, seaplane bases, closed fields and metropolitan codes from scheduled_airports.csv.

The OurAirports copy in airports-py 3.1.0 marks some heliports and closed fields as medium
airports with scheduled service (Agora Helipad JAH in Marseille, Montaudran XYT in Toulouse,
Universal City Heliport JUC in Los Angeles). A row is kept only when
1. its name names no heliport, helipad, seaplane base, water aerodrome, closed or duplicate
   field, metropolitan area or station;
2. its IATA code is in airportsdata (the codes in use; a retired field's code is not); and
3. airportsdata puts that code within 300 km of the row (else the code was given to
   another airport since).
Run: .venv/bin/python scripts/filter_scheduled_airports.py  (rewrites the file, prints counts).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import airportsdata

from bot.travel.geo import haversine_km

PATH = Path(__file__).parents[1] / "bot" / "travel" / "data" / "scheduled_airports.csv"
NOT_AN_AIRPORT = re.compile(
    r"heli|seaplane|sea plane|sea port|water aerodrome|closed|duplicate|metropolitan area|"
    r"all airports|\bspb\b|\bbus\b|railway|train station",
    re.IGNORECASE,
)
MAX_CODE_OFFSET_KM = 300.0


def keep(row: dict[str, str], known: dict[str, airportsdata.Airport]) -> str:
    """'' to keep the row, else the reason to drop it."""
    if NOT_AN_AIRPORT.search(row["name"]):
        return "name"
    listed = known.get(row["iata"])
    if listed is None:
        return "code not in airportsdata"
    offset = haversine_km(
        float(row["latitude"]), float(row["longitude"]), listed["lat"], listed["lon"]
    )
    return "code now elsewhere" if offset > MAX_CODE_OFFSET_KM else ""


def main() -> int:
    """Rewrite the file with the rows kept; print how many were dropped and why."""
    known = airportsdata.load("IATA")
    with PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    reasons: dict[str, int] = {}
    kept = []
    for row in rows:
        reason = keep(row, known)
        if reason:
            reasons[reason] = reasons.get(reason, 0) + 1
        else:
            kept.append(row)
    with PATH.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    print(f"{len(rows)} rows, kept {len(kept)}, dropped {reasons}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
