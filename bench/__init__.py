"""Benchmarks of the reisverslag bot: conversations, documents, reminder burst, start-up.

Run with ``make bench`` (full) or ``python -m bench --quick --json`` (reduced, one JSON object).
"""

__all__: list[str] = []
