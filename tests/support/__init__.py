"""Test support: the fake Telegram Bot API server and helpers to run bots against it."""
