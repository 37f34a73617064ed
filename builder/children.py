"""Child processes that die with the build: its worker processes and the MkDocs run.

A build killed with ``kill -9`` cannot stop its children itself. On Linux each child asks
the kernel for ``SIGKILL`` when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and exits at
once if the parent is already gone. Worker processes call :func:`die_with_parent` as the
pool's initializer; MkDocs runs through this module,
``python -m builder.children PARENT_PID mkdocs build …``, which does the same and then runs
the module named as ``python -m`` would. Elsewhere the children are left as before.
"""

from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int) -> None:
    """Be killed when the process ``parent`` (this process's parent) dies."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def run_module(argv: list[str]) -> None:
    """``PARENT_PID MODULE ARGS…``: die with the parent, then ``python -m MODULE ARGS…``."""
    parent, module, *args = argv
    die_with_parent(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    run_module(sys.argv[1:])
