"""The command line: the only place where settings, store, travel data and channels meet."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.config import Settings
from bot.logging_setup import configure_logging
from bot.report import TransportMode

if TYPE_CHECKING:
    from bot.travel import TravelCalculator

__all__ = ["main"]


def _trip(settings: Settings) -> TravelCalculator:
    """The travel calculator for these settings."""
    from bot.travel import TravelCalculator

    return TravelCalculator.from_settings(settings)


def _clock(settings: Settings) -> Callable[[], datetime]:
    """Now, in the municipality's time zone."""
    zone = ZoneInfo(settings.timezone)
    return lambda: datetime.now(zone)


def _console(
    settings: Settings, out_dir: Path | None, language: Literal["nl", "en"] | None = None
) -> int:
    from bot.console import ConsoleSession
    from bot.render import write_documents
    from bot.store import Store

    store = Store.open(settings.database_url)
    try:
        session = ConsoleSession(
            store=store,
            settings=settings,
            trip=_trip(settings),
            clock=_clock(settings),
            user_ref=f"console:{getpass.getuser()}",
            out_dir=out_dir or settings.output_dir,
            write_documents=lambda report, out: write_documents(
                report, out, ("docx", "pdf", "txt")
            ),
            language=language,
        )
        return session.run(sys.stdin, sys.stdout)
    finally:
        store.close()


def _telegram(settings: Settings) -> int:
    """Run the bot; any failure to start (or a fatal stop) ends in one line naming the cause."""
    from bot.store import Store
    from bot.telegram import run_bot
    from bot.telegram.lifecycle import describe_startup_error

    log = logging.getLogger("reisverslag")
    try:
        store = Store.open(settings.database_url)
        try:
            return run_bot(settings, store, _trip(settings), _clock(settings))
        finally:
            store.close()
    except Exception as error:  # every cause is logged, redacted, instead of a raw traceback
        log.debug("start-up failure in detail", exc_info=error)
        log.critical("reisverslag stopped: %s", describe_startup_error(error, settings))
        return 1


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.dialogs import NeedsChoice
    from bot.i18n import translate
    from bot.travel import check_trip
    from bot.travel.check import choice_options, choice_text

    try:
        result = check_trip(
            _trip(settings),
            to=args.to,
            origin=args.origin,
            mode=TransportMode(args.mode),
            one_way=args.one_way,
            persons=args.persons,
        )
    except NeedsChoice as choice:
        if args.json:
            print(
                json.dumps(
                    {"error": choice.message, "options": choice_options(choice)},
                    ensure_ascii=False,
                )
            )
        else:
            print(choice_text(choice, lambda to: f"--to '{to}'", args.lang), file=sys.stderr)
        return 2
    except ValueError as error:
        if args.json:
            print(json.dumps({"error": str(error), "options": []}, ensure_ascii=False))
        said = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else ""
        print(translate(args.lang, said or str(error)), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        print(result.explain(args.lang))
    return 0


def _factors(settings: Settings, args: argparse.Namespace) -> int:
    from bot.travel.factors import install_factor_list, load_factor_list, provenance_text

    try:
        if args.action == "load":
            if not args.file:
                raise ValueError(
                    "Geef het bestand: reisverslag factors load BESTAND.xlsx (of .csv)"
                )
            if settings.emission_factors_dir is None:
                raise ValueError(
                    "Stel eerst EMISSION_FACTORS_DIR in: de map waarin geladen lijsten komen."
                )
            loaded = install_factor_list(
                Path(args.file), settings.emission_factors_dir, args.version
            )
            print(f"Geladen als {loaded.version}: {loaded.path}")
            print(f"Gebruik hem met EMISSION_LIST_VERSION={loaded.version}.\n")
            print(provenance_text(loaded))
            return 0
        factors = load_factor_list(
            args.version or settings.emission_list_version, settings.emission_factors_dir
        )
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(provenance_text(factors))
    return 0


def _render(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from bot.render import write_documents
    from bot.report import Report

    try:
        report = Report.model_validate_json(Path(args.report).read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        print(f"Kan {args.report} niet lezen: {error}", file=sys.stderr)
        return 2
    formats = tuple(part.strip() for part in args.format.split(",") if part.strip())
    for path in write_documents(report, Path(args.out), formats=formats):
        print(path)
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import write_export
    from bot.store import Store

    store = Store.open(settings.database_url)
    try:
        path = write_export(
            store.reports.in_year(args.year), args.year, Path(args.out), args.format
        )
    finally:
        store.close()
    print(path)
    return 0


def _personal_data(settings: Settings, args: argparse.Namespace) -> int:
    """A traveller's data as JSON (AVG access), or erased after --verwijder (AVG erasure)."""
    from bot.store import Store
    from bot.store.privacy import erase_personal_data, personal_data

    user_ref, now = f"telegram:{args.telegram_id}", _clock(settings)()
    with Store.open(settings.database_url) as store:
        if args.verwijder:
            erased = erase_personal_data(store, user_ref, args.telegram_id, now)
            print(json.dumps(dataclasses.asdict(erased)))
        else:
            data = personal_data(store, user_ref, args.telegram_id, now)
            print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def _annual_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.annual import NoReportsError, annual_report_pdf
    from bot.store import Store

    store = Store.open(settings.database_url)
    try:
        trip = _trip(settings)
        pdf = annual_report_pdf(
            store,
            args.year,
            settings,
            lambda place: trip.rail_time(place).hours,
            _clock(settings)().date(),
        )
    except NoReportsError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        store.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_bytes(pdf)
    temporary.replace(out)  # a reader never sees half a PDF
    print(out)
    return 0


def _register(settings: Settings, args: argparse.Namespace) -> int:
    from bot.register import write_register
    from bot.store import Store

    with Store.open(settings.database_url) as store:
        reports = store.reports.in_year(args.year) if args.year else store.reports.all()
    if not reports:
        when = f"in {args.year}" if args.year else "in de opslag"
        print(f"Geen verslagen {when}: er is geen register gemaakt.", file=sys.stderr)
        return 1
    try:
        index = write_register(reports, Path(args.out), show_names=settings.publish_traveller_names)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    print(index)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reisverslag", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="the Telegram bot when a token is set, else the console")
    console = commands.add_parser("console", help="the interview in this terminal")
    console.add_argument("--out", type=Path, help="folder for the documents (default ./verslagen)")
    for command in (run, console):
        command.add_argument(
            "--lang",
            choices=["nl", "en"],
            help="the console's language for typed answers (default nl; a resumed draft keeps "
            "its own); the Telegram bot follows each traveller's language",
        )
    commands.add_parser("bot", help="the Telegram bot")

    check = commands.add_parser("check", help="km, CO2 and the 8-hour rule for a trip")
    check.add_argument("--to", required=True, help="destination, e.g. Wenen")
    check.add_argument(
        "--from", dest="origin", help="origin of the flight or trip (default: HOME_CITY)"
    )
    check.add_argument("--mode", default="vliegtuig", choices=[m.value for m in TransportMode])
    check.add_argument("--one-way", action="store_true", help="one way instead of return")
    check.add_argument("--persons", type=int, default=1)
    check.add_argument("--json", action="store_true", help="one JSON object on stdout")
    check.add_argument("--lang", choices=["nl", "en"], default="nl", help="language of the text")

    factors = commands.add_parser(
        "factors", help="the emission factor list in use with its sources; 'load FILE' adds one"
    )
    factors.add_argument("action", nargs="?", choices=["load"], help="load a list file")
    factors.add_argument("file", nargs="?", help="the list file (.xlsx or .csv) to load")
    factors.add_argument("--version", help="list name (default: the setting, or the file name)")

    render = commands.add_parser("render", help="re-render a report exported as JSON")
    render.add_argument("report", help="REPORT.json")
    render.add_argument("--out", required=True, help="output folder")
    render.add_argument("--format", default="docx,pdf,txt,html")

    export = commands.add_parser("export", help="the yearly overview for the council")
    export.add_argument("--year", type=int, required=True)
    export.add_argument("--out", required=True)
    export.add_argument("--format", choices=["xlsx", "csv"], default=None)

    annual = commands.add_parser("jaarrapport", help="the council's yearly report as PDF")
    annual.add_argument("--year", type=int, required=True)
    annual.add_argument("--out", required=True, help="PDF file to write")

    register = commands.add_parser("register", help="the public register as a static website")
    register.add_argument("--year", type=int, help="only this year (default: every year)")
    register.add_argument("--out", required=True, help="folder for the site")

    commands.add_parser("diagram", help="print the interview as a Mermaid diagram")

    data = commands.add_parser(
        "gegevens", help="AVG: a traveller's stored data as JSON, or --verwijder to erase it"
    )
    data.add_argument("--telegram-id", type=int, required=True)
    data.add_argument("--verwijder", action="store_true", help="erase (see docs/privacy.md)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `reisverslag` command."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # durations from python-telegram-bot as timedelta
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:  # one line per wrong setting, named as in .env
        for problem in error.errors(include_url=False, include_input=False):
            name = ".".join(str(part) for part in problem["loc"]).upper()
            print(f"reisverslag: setting {name} is invalid: {problem['msg']}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level,
        settings.secret_values(),
        log_update_contents=settings.log_update_contents,
    )
    command = args.command or "run"
    if command == "run":
        command = "bot" if settings.telegram_enabled else "console"
        if command == "console":
            print("Geen TELEGRAM_BOT_TOKEN ingesteld: het verslag maken we hier in de terminal.\n")
    if command == "console":
        return _console(settings, getattr(args, "out", None), getattr(args, "lang", None))
    if command == "bot":
        return _telegram(settings)
    if command == "check":
        return _check(settings, args)
    if command == "factors":
        return _factors(settings, args)
    if command == "render":
        return _render(args)
    if command == "export":
        return _export(settings, args)
    if command == "gegevens":
        return _personal_data(settings, args)
    if command == "jaarrapport":
        return _annual_report(settings, args)
    if command == "register":
        return _register(settings, args)
    if command == "diagram":
        from bot.dialogs.machine import mermaid_diagram

        print(mermaid_diagram())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
