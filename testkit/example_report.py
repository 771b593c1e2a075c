"""The golden example trip (Vienna and Bratislava) of the reference form, built by hand."""

from __future__ import annotations

from datetime import date, datetime

from bot.report import (
    DayPart,
    EmissionLine,
    Leg,
    Place,
    RailCheck,
    Report,
    TransportMode,
    Traveller,
    TripPeriod,
)

__all__ = ["EXAMPLE_FREE_TEXT", "example_report"]

_FLIGHT_FACTOR_KG_PER_PKM = 0.172
_FLIGHT_KM_ONE_WAY = 959.5

#: The traveller's own answers (questions 6-10), copied from the reference form.
EXAMPLE_FREE_TEXT: dict[str, str] = {
    "purpose": (
        "Deelname aan bijeenkomst van de Council of Global City CIOs (CGCC). Dit netwerk bestaat "
        "uit CIOs/CTOs (of strategisch adviseurs) vanuit verschillende internationale steden. "
        "Doel van het netwerk is om kennis te delen en samen te werken op het gebied van "
        "digitalisering en innovatie binnen steden."
    ),
    "locations": (
        "Wenen (Oostenrijk) en Bratislava (Slowakije).\n"
        "Binnen deze steden verschillende plekken dmv een tour door de stad. Daarnaast ook de "
        "gemeentehuizen en bijbehorende kantoren van Wenen en Oostenrijk."
    ),
    "people_met": (
        "Vertegenwoordiging van CIO/CTOs of strategisch adviseurs hiervan van de steden Parijs, "
        "Praag, Dublin, Porto, Karlsruhe, Wenen, Bratislava, Madrid, Rotterdam en Tallinn."
    ),
    "results": (
        "- Kennisuitwisseling tussen verschillende steden over zowel stedelijke innovaties als "
        "digitale innovaties voor publieksdienstverlening. Inspiratie voor mogelijke toepassingen "
        "binnen de gemeente Den Haag. Uitwisseling van geleerde lessen en successen.\n"
        "- Concrete samenwerkingsmogelijkheden geïdentificeerd tussen verschillende internationale "
        "steden (zie vervolgafspraken).\n"
        "- Inspiratie voor verschillende projecten in de stad op het gebied van "
        "klimaatneutraliteit, leefbaarheid en veiligheid.\n"
        "- Profilering van Den Haag op het gebied van innovaties (oa. dronedetectie en beleid, "
        "innovatieproces ontwikkeling, en testgebieden in de stad zoals het Living Lab "
        "Scheveningen)."
    ),
    "follow_up": (
        "Met enkele steden zijn concrete vervolgafspraken gemaakt. Dit gaat o.a. om:\n"
        "- Wenen: Verkenning uitwisseling van geleerde lessen en successen op het gebied van smart "
        "city toepassingen in relatie tot klimaatneutraliteit.\n"
        "- Dublin: Verdere verkenning van samenwerking op het gebied van drones, en daarnaast ook "
        "concrete toepassingen van AI voor publieksdienstverlening.\n"
        "- Madrid: Kennisuitwisseling op het gebied van digitale spiegelstad (digital twins) "
        "ontwikkeling\n"
        "- Bratislava: Kennisuitwisseling van innovaties op het gebied van (fysieke) veiligheid "
        "in de stad.\n"
        "- Verkennen van mogelijkheden City AI Connect platform om beleid en processen rondom AI "
        "met elkaar te delen.\n"
        "Tenslotte is ook afgesproken om te verkennen of een CGCC bijeenkomst in het voorjaar van "
        "2026 in Den Haag en Rotterdam georganiseerd kan worden."
    ),
}


def example_report(**changes: object) -> Report:
    """The Vienna trip of the reference form; keyword arguments replace fields (validated)."""
    den_haag = Place(
        name="Den Haag", country="Nederland", country_code="NL", latitude=52.0705, longitude=4.3007
    )
    wenen = Place(
        name="Wenen", country="Oostenrijk", country_code="AT", latitude=48.2085, longitude=16.3721
    )
    bratislava = Place(
        name="Bratislava",
        country="Slowakije",
        country_code="SK",
        latitude=48.1482,
        longitude=17.1067,
    )
    flight = Leg(
        mode=TransportMode.VLIEGTUIG,
        origin=den_haag,
        destination=wenen,
        km_one_way=_FLIGHT_KM_ONE_WAY,
        return_trip=True,
        method="haversine AMS-VIE",
        origin_airport="AMS",
        destination_airport="VIE",
    )
    km = round(flight.km)
    emission = EmissionLine(
        mode=TransportMode.VLIEGTUIG,
        km=km,
        kg_co2e=km * _FLIGHT_FACTOR_KG_PER_PKM,
        factor_kg_per_unit=_FLIGHT_FACTOR_KG_PER_PKM,
        unit="pkm",
        units=km,
        factor_class="700-2500 km",
        factor_source="CO2emissiefactoren.nl 2025, geciteerd door derden",
        factor_verified=False,
        list_version="co2emissiefactoren-2025",
        return_trip=True,
    )
    fields: dict[str, object] = {
        "report_id": "voorbeeld-wenen-2025",
        "traveller": Traveller(name="J. de Vries", department="Digitale Stad"),
        "persons": 1,
        "period": TripPeriod(
            departure=date(2025, 4, 27),
            departure_part=DayPart.AVOND,
            return_date=date(2025, 4, 29),
        ),
        "destinations": [wenen, bratislava],
        "modes": [TransportMode.VLIEGTUIG],
        "legs": [flight],
        "emissions": [emission],
        "emission_list_version": "co2emissiefactoren-2025",
        "rail_check": RailCheck(
            destination="Wenen",
            hours=12.5,
            estimated=False,
            source="voorbeeldverslag",
            threshold_hours=8,
            flown=True,
        ),
        **EXAMPLE_FREE_TEXT,
        "submitted_at": datetime(2025, 4, 30, 10, 0),
    }
    fields.update(changes)
    return Report.model_validate(fields)
