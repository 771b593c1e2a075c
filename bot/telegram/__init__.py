"""The Telegram channel: translates updates into interview messages and replies back."""

from bot.telegram.app import TRAVELLER_COMMANDS, build_application, run_bot

__all__ = ["TRAVELLER_COMMANDS", "build_application", "run_bot"]
