"""Extraction past one machine: the same unit of work on a Dask cluster.

``kg build ARTICLES --scheduler tcp://HOST:8786`` reads the files here and sends each
to the cluster's workers, which run :func:`kg.pipeline.extract_document` unchanged
(each worker loads the models once); linking, the graph and the outputs are made here,
in the order of the files, so the result is the same bytes as a local build. The
workers need kg installed (``pip install -e .`` from this repository, with the same
versions) and the file contents travel to them, so they need no shared disk.

    dask scheduler                        # on one machine
    dask worker tcp://HOST:8786           # on each of the others
    kg build ARTICLES --scheduler tcp://HOST:8786 --out export
    kg push --endpoint http://HOST:7878   # the graph into a shared SPARQL store

In Python, any ``dask.distributed.Client`` (a ``LocalCluster`` in the tests) is an
``executor`` of :func:`kg.pipeline.build`.
"""
from __future__ import annotations

from .errors import KgError


def connect(address: str):
    """A Dask client of the scheduler at ``address``; a clear error when Dask is missing
    or the scheduler does not answer."""
    try:
        from dask.distributed import Client
    except ImportError as e:
        raise KgError("--scheduler needs Dask: pip install 'dask[distributed]'") from e
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise KgError(f"no Dask scheduler answers at {address}: {e}") from e
