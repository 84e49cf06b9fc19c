"""Fault injection for the error-boundary tests, in a dependency we do not ship: with
BRIEFING_TEST_FAULT set, pysbd's sentence splitter (Segmenter.processor) raises RuntimeError on any text holding that marker.

Put this folder on PYTHONPATH of a subprocess (tests/test_isolation.py does) and Python imports it at
start-up; nothing of briefing is replaced, so the boundary under test is the real one.

BRIEFING_TEST_FAULT_MODE chooses another fault on the marked text: "spin" loops in Python for ever (a
timeout must interrupt it), "hang" sleeps for an hour inside one C call (``time.sleep`` in a thread that
is not the main one: only ending the process stops it).
"""

import os
import time

_MARKER = os.environ.get("BRIEFING_TEST_FAULT")
_MODE = os.environ.get("BRIEFING_TEST_FAULT_MODE", "raise")
if _MARKER:
    import pysbd

    _processor = pysbd.Segmenter.processor

    def processor(self, text):
        if _MARKER in text:
            if _MODE == "spin":
                while True:
                    pass
            if _MODE == "hang":
                time.sleep(3600)
            raise RuntimeError("injected fault in pysbd")
        return _processor(self, text)

    pysbd.Segmenter.processor = processor
