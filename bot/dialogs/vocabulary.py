"""The one vocabulary of transport modes and car fuels, shared by every parser.

The modes question (`parsers.parse_modes`), the route description (`bot.travel.routes`) and
the fuel question read the same words, so 'nachttrein', 'KLM' or 'hybride' mean the same
everywhere.
"""

from __future__ import annotations

from bot.report import CarFuel, TransportMode

__all__ = ["FUEL_WORDS", "MODE_PHRASES", "MODE_WORDS", "fuel_of_word", "mode_of_word"]


def _words(spaced: str) -> frozenset[str]:
    """The set of space-separated words in a vocabulary string."""
    return frozenset(spaced.split())


MODE_WORDS: dict[str, TransportMode] = {
    **dict.fromkeys(
        _words(
            "vliegtuig vliegtuigen vlucht vluchten vliegen gevlogen vlieg vliegreis klm "
            "transavia easyjet ryanair lufthansa airfrance brusselsairlines austrian swiss "
            "sas vueling plane airplane flight fly luchtvaart vloog"
        ),
        TransportMode.VLIEGTUIG,
    ),
    **dict.fromkeys(
        _words(
            "trein treinen treinreis treintje eurostar ice thalys tgv intercity ic nachttrein "
            "ns nightjet sprinter hogesnelheidstrein db sncf ouigo eurocity ec railjet train "
            "spoor"
        ),
        TransportMode.TREIN,
    ),
    **dict.fromkeys(
        _words(
            "bus bussen touringcar touringcars touringbus flixbus coach autobus pendelbus shuttle "
            "shuttlebus"
        ),
        TransportMode.BUS,
    ),
    **dict.fromkeys(
        _words(
            "auto autos auto's huurauto dienstauto deelauto leaseauto taxi taxis taxi's uber "
            "car wagen personenauto gereden rijden"
        ),
        TransportMode.AUTO,
    ),
    **dict.fromkeys(
        _words("veerboot veer veerboten ferry boot boten pont schip overtocht"),
        TransportMode.VEERBOOT,
    ),
}
MODE_PHRASES = {
    "touring car": "touringcar",
    "air france": "airfrance",
    "brussels airlines": "brusselsairlines",
    "austrian airlines": "austrian",
    "auto van de zaak": "dienstauto",
}
FUEL_WORDS: dict[str, CarFuel] = {
    **dict.fromkeys(
        _words(
            "benzine benzineauto petrol gasoline euro95 e10 e5 hybride hybrid phev plugin "
            "pluginhybride"
        ),
        CarFuel.BENZINE,
    ),
    **dict.fromkeys(_words("diesel dieselauto tdi"), CarFuel.DIESEL),
    **dict.fromkeys(
        _words(
            "elektrisch elektrische electrisch ev bev stroom electric volledig tesla accu batterij"
        ),
        CarFuel.ELEKTRISCH,
    ),
    **dict.fromkeys(
        _words("onbekend onbekende nvt unknown lpg cng aardgas waterstof gas"),
        CarFuel.ONBEKEND,
    ),
}

#: Word stems and compound ends: 'vliegen', 'treinreis', 'nachttrein', 'huurauto'.
_STEMS = (
    ("vlieg", TransportMode.VLIEGTUIG),
    ("vlucht", TransportMode.VLIEGTUIG),
    ("trein", TransportMode.TREIN),
    ("veerboot", TransportMode.VEERBOOT),
)
_ENDS = (
    ("vliegtuig", TransportMode.VLIEGTUIG),
    ("vlucht", TransportMode.VLIEGTUIG),
    ("trein", TransportMode.TREIN),
    ("auto", TransportMode.AUTO),
    ("veerboot", TransportMode.VEERBOOT),
    ("ferry", TransportMode.VEERBOOT),
)


def mode_of_word(word: str) -> TransportMode | None:
    """The mode a lower-case word without accents names: exact, a stem or a compound end."""
    if word in MODE_WORDS:
        return MODE_WORDS[word]
    for stem, mode in _STEMS:
        if word.startswith(stem):
            return mode
    for end, mode in _ENDS:
        if word.endswith(end):
            return mode
    return None


def fuel_of_word(word: str) -> CarFuel | None:
    """The fuel class a lower-case word names ('hybride' -> benzine), else None."""
    return FUEL_WORDS.get(word)
