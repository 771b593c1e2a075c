"""Tests of the adapters (Telegram, console) and the fakes they run against."""
