"""Support code shared by tests/ and bench/: the fake Telegram Bot API server, the example trip
and report, bots run in-process or as a child process against the fake. Not shipped in the wheel."""
