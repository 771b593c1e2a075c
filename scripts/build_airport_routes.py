"""Generate data/airport_routes.csv: scheduled routes per airport, a proxy for passenger traffic.

Input: data/routes.dat of the OpenFlights route database (ODbL, https://openflights.org/data.php;
snapshot of June 2014, file last changed in github.com/jpatokal/openflights on 2017-02-02).
A route is one airline flying one airport pair in one direction; codeshares (column 7 = 'Y')
are left out, so each route counts the airline that operates it. An airport's number is its
departing plus arriving routes. Only the derived counts of the airports in
data/scheduled_airports.csv are kept in this repository; airports missing from the file had no
operated route in the snapshot (0).

Run: .venv/bin/python scripts/build_airport_routes.py PATH/TO/routes.dat [COMMIT]
"""

import csv
import sys
from collections import Counter

from bot.travel._data import DATA_DIR

SOURCE = "OpenFlights routes.dat, June 2014 (ODbL)"
#: Airports opened after June 2014 that replaced older ones: they inherit the old routes.
SUCCESSORS = {
    "BER": (("TXL", "SXF"), "Berlin Brandenburg replaced Tegel and Schönefeld in 2020"),
    "DSS": (("DKR",), "Blaise Diagne replaced Dakar Léopold Sédar Senghor in 2017"),
    "NQZ": (("TSE",), "Astana's airport changed its code from TSE to NQZ in 2020"),
    "SAI": (("REP",), "Siem Reap-Angkor International replaced Siem Reap (REP) in 2023"),
    "UBN": (("ULN",), "Chinggis Khaan International replaced Buyant-Ukhaa (ULN) in 2021"),
    "GSV": (("RTW",), "Saratov Gagarin replaced Saratov Tsentralny (RTW) in 2019"),
    "ETM": (("ETH", "VDA"), "Eilat-Ramon replaced Eilat (ETH) and Ovda (VDA) in 2019"),
    "RMO": (("KIV",), "Chisinau International, listed as KIV in 2014, is now RMO"),
}


def main(path: str, commit: str) -> None:
    """Count operated routes per IATA code and write the CSV, busiest first."""
    counts: Counter[str] = Counter()
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            source, destination, codeshare = row[2], row[4], row[6]
            if codeshare == "Y":
                continue
            for code in (source, destination):
                if len(code) == 3 and code.isalpha():
                    counts[code] += 1
    where = f"jpatokal/openflights@{commit[:10]}" if commit else "local copy"
    with (DATA_DIR / "scheduled_airports.csv").open(encoding="utf-8", newline="") as handle:
        scheduled = {row["iata"] for row in csv.DictReader(handle)}
    notes = {}
    for new, (old_codes, why) in SUCCESSORS.items():
        counts[new] += sum(counts[old] for old in old_codes)
        notes[new] = f" ({why}; routes of {'+'.join(old_codes)})"
    with (DATA_DIR / "airport_routes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["iata", "routes", "source", "retrieved"])
        for code, routes in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            if code not in scheduled:
                continue
            source = f"{SOURCE}; {where}{notes.get(code, '')}"
            writer.writerow([code, routes, source, "2026-12-01"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")
