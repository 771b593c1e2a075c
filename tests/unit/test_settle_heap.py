"""The running bot keeps what start-up loaded out of the collector's full passes."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import gc
from bot.telegram.app import YOUNG_GENERATION_THRESHOLD, settle_heap
loaded = [{"station": n} for n in range(10_000)]  # stands for the travel data
before = gc.get_freeze_count()
settle_heap()
print(before, gc.get_freeze_count() - before, gc.get_threshold()[0] == YOUNG_GENERATION_THRESHOLD)
"""


def test_start_up_data_is_frozen_and_young_objects_are_collected_less_often() -> None:
    # In a child process: freezing the test runner's own heap would keep its garbage forever.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=120
    )
    before, frozen, threshold_set = result.stdout.split()
    assert before == "0"
    assert int(frozen) >= 10_000
    assert threshold_set == "True"
