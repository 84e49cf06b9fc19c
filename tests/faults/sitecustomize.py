"""Fault injection for the error-boundary tests, in a dependency we do not ship: with
BRIEFING_TEST_FAULT set, pysbd's sentence splitter (Segmenter.processor) raises RuntimeError on any text holding that marker.

Put this folder on PYTHONPATH of a subprocess (tests/test_isolation.py does) and Python imports it at
start-up; nothing of briefing is replaced, so the boundary under test is the real one.
"""

import os

_MARKER = os.environ.get("BRIEFING_TEST_FAULT")
if _MARKER:
    import pysbd

    _processor = pysbd.Segmenter.processor

    def processor(self, text):
        if _MARKER in text:
            raise RuntimeError("injected fault in pysbd")
        return _processor(self, text)

    pysbd.Segmenter.processor = processor
