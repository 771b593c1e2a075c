"""The one vocabulary of transport modes and car fuels, shared by every parser.

The modes question (`parsers.parse_modes`), the route description (`bot.travel.routes`) and
the fuel question read the same words, so 'nachttrein', 'KLM' or 'hybride' mean the same
everywhere.
"""

from __future__ import annotations

import re

from bot.report import CarFuel, TransportMode

__all__ = [
    "ENGLISH_MODE_WORDS",
    "FUEL_WORDS",
    "MODE_PHRASES",
    "MODE_WORDS",
    "english_route_text",
    "fuel_of_word",
    "mode_of_word",
]


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
#: English words for the modes that are not already in `MODE_WORDS` (read in English, and by
#: the route description, where none of them means anything else in Dutch).
ENGLISH_MODE_WORDS: dict[str, TransportMode] = {
    **dict.fromkeys(
        _words(
            "planes aeroplane aeroplanes airplanes aircraft flights flew flown flying air "
            "airline airlines"
        ),
        TransportMode.VLIEGTUIG,
    ),
    **dict.fromkeys(
        _words("trains rail railway railways nighttrain highspeed"), TransportMode.TREIN
    ),
    **dict.fromkeys(_words("buses busses coaches minibus"), TransportMode.BUS),
    **dict.fromkeys(
        _words("cars drove driving driven rental taxicab cab carpool"), TransportMode.AUTO
    ),
    **dict.fromkeys(_words("ferries boat boats ship ships"), TransportMode.VEERBOOT),
}
MODE_PHRASES = {
    "night train": "nachttrein",
    "sleeper train": "nachttrein",
    "high speed train": "hogesnelheidstrein",
    "high-speed train": "hogesnelheidstrein",
    "rental car": "huurauto",
    "hire car": "huurauto",
    "company car": "dienstauto",
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
    if word in ENGLISH_MODE_WORDS:
        return ENGLISH_MODE_WORDS[word]
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


#: English route words and what the route description (`bot.travel.routes`) reads for them.
#: None of them is a Dutch word, so they are read in either language; place names keep
#: their case because only these whole words are replaced.
_ENGLISH_ROUTE_WORDS = (
    (r"there and back|both ways|round[- ]trip|return ticket", "retour"),
    (r"one[- ]way|each way|per direction|single ticket", "enkele reis"),
    (r"(?:on the )?way back|coming back|returned|return|back", "terug"),
    (r"(?:on the )?way out|outbound|going out|going there|there|out", "heen"),
    (r"and then|afterwards|after that|then", "daarna"),
    (r"by|with|on the|on", "met"),
    (r"to", "naar"),
    (r"from", "vanaf"),
    (r"and", "en"),
    (r"cars", "auto's"),
    (r"one", "een"),
    (r"two", "twee"),
    (r"three", "drie"),
    (r"four", "vier"),
)
_ENGLISH_ROUTE = re.compile(
    "|".join(rf"(?<![\w-])(?:{pattern})(?![\w-])" for pattern, _ in _ENGLISH_ROUTE_WORDS),
    re.IGNORECASE,
)


def english_route_text(text: str) -> str:
    """'by train to Paris, flew back' -> 'met train naar Paris, flew terug': the English route
    words in the Dutch words the route description reads; everything else as typed."""

    def dutch(match: re.Match[str]) -> str:
        for pattern, word in _ENGLISH_ROUTE_WORDS:
            if re.fullmatch(pattern, match.group(), re.IGNORECASE):
                return word
        return match.group()

    return _ENGLISH_ROUTE.sub(dutch, text)
