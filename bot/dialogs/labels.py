"""Labels of the stored transport-mode and fuel codes, as catalogue msgids.

The codes themselves are Dutch words ('vliegtuig', 'benzine') kept for compatibility with
stored drafts, reports and the Dutch form; chat and console never show a code raw, only
these labels translated into the traveller's language."""

from __future__ import annotations

from bot.i18n import N_, Text, join, msg
from bot.report import CarFuel, TransportMode

__all__ = ["FUEL_LABELS", "FUEL_NAMES", "MODE_LABELS", "MODE_NAMES", "numbered_options"]

#: Capitalised, for buttons and lists.
MODE_LABELS: dict[TransportMode, str] = {
    TransportMode.VLIEGTUIG: N_("Vliegtuig"),
    TransportMode.TREIN: N_("Trein"),
    TransportMode.BUS: N_("Bus"),
    TransportMode.AUTO: N_("Auto"),
    TransportMode.VEERBOOT: N_("Veerboot"),
}
#: Lower case, in running text ('trein 850 km').
MODE_NAMES: dict[TransportMode, str] = {
    TransportMode.VLIEGTUIG: N_("vliegtuig"),
    TransportMode.TREIN: N_("trein"),
    TransportMode.BUS: N_("bus"),
    TransportMode.AUTO: N_("auto"),
    TransportMode.VEERBOOT: N_("veerboot"),
}
FUEL_LABELS: dict[CarFuel, str] = {
    CarFuel.ONBEKEND: N_("Onbekend"),
    CarFuel.BENZINE: N_("Benzine"),
    CarFuel.DIESEL: N_("Diesel"),
    CarFuel.ELEKTRISCH: N_("Elektrisch"),
}
FUEL_NAMES: dict[CarFuel, str] = {
    CarFuel.ONBEKEND: N_("onbekend"),
    CarFuel.BENZINE: N_("benzine"),
    CarFuel.DIESEL: N_("diesel"),
    CarFuel.ELEKTRISCH: N_("elektrisch"),
}


def numbered_options(names: list[str]) -> Text:
    """'1 vliegtuig, 2 trein of 3 bus', each name translated where it is shown."""
    parts = [msg("{number} {name}", number=n, name=msg(name)) for n, name in enumerate(names, 1)]
    return msg("{items} of {last}", items=join(parts[:-1]), last=parts[-1])
