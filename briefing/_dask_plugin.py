"""The Dask worker plugin, in a module of its own: importing it imports ``distributed``, which only
``--engine dask`` needs."""

from __future__ import annotations

from distributed import WorkerPlugin


class ModelPreload(WorkerPlugin):
    """One BLAS thread and the spaCy model loaded once per worker process, when the worker starts,
    not once per task."""

    name = "briefing-model"

    def setup(self, worker) -> None:
        from .batch import worker_init

        worker_init()
