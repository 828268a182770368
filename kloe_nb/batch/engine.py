"""papermill's side of a kept kernel: its nbclient engine told to use the session's kernel and client.

Registered with papermill as ``kloe-reused-kernel``: parameters, the injected cell, error
markers and ``PapermillExecutionError`` are all papermill's. Kept apart from ``kernel.py`` so
that starting a kernel does not wait for papermill to be imported.
"""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from kloe_nb.batch.kernel import KernelSession

ENGINE_NAME = "kloe-reused-kernel"


class ReusedKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel that outlives the notebook (``kernel_session=``)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        kernel_session: KernelSession,
        log_output: bool = False,
        start_timeout: int = 60,
        execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        kernel_session.current = nb_man  # so a partial notebook can be kept if the kernel dies
        client = PapermillNotebookClient(
            nb_man,
            km=kernel_session.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
        )
        client.kc = kernel_session.kc
        return client.execute()


papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)
