"""The pages of the site's MkDocs run, rendered by worker processes (``mkdocs_run``).

Rendering is nearly all of a clean MkDocs run (at 10,000 disclosures 333 s of 437 s, in one
process). The runner sets up the config, files, navigation, theme and static files and keeps
what it can of the previous site, then hands the pages left to :class:`PageWorkers`: with
more than one job, ``jobs`` processes are forked from it, so each starts with the run as it
stands (nothing is set up twice), and renders runs of consecutive pages: reading, Markdown,
the template, the hooks, writing the HTML and the page's state for a later run. Each page's
*record* comes back (the sha256 of its HTML, its anchors and links to anchors, each hook's
state of it: ``page_state``), with what was logged while it was rendered.

The runner takes the records in page order, as if it had rendered the pages itself: it gives
the hooks their state back (``restore_page_state``) as it does for a kept page, so what a
hook gathers over all pages (the search index) is whole when ``on_post_build`` runs in the
runner; the messages are logged again there, in the order one process logs them; and the
first error, in page order, fails the run with the messages one process would have logged
up to it. The static files, the theme's templates (``404.html``, the sitemap), the anchors'
check and ``on_post_build`` stay in the runner.

With one job (or one page) the pages are rendered in the runner's own process.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from mkdocs.structure.files import File

from builder.children import die_with_parent

Render = Callable[[File], dict[str, Any]]
Message = tuple[str, int, str]  # logger name, level, message
PAGES_PER_TASK = 32  # at most: a worker sends back this many pages at a time
TASKS_PER_JOB = 4  # at least, when there are few pages: the shares even out


class _Capture(logging.Handler):
    """What a worker logs under ``mkdocs`` (at the level the runner set), page by page."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.name, record.levelno, record.getMessage()))

    def take(self) -> list[Message]:
        taken, self.messages = self.messages, []
        return taken


class RemoteError(Exception):
    """An error raised in a worker process; its traceback there (the cause of what the
    runner raises again)."""


# What the workers inherit when they are forked: the render function and the pages, and
# each worker's capture of its messages.
_WORK: tuple[Render, list[File]] | None = None
_CAPTURE = _Capture()

Outcome = tuple[list[tuple[int, dict[str, Any] | None, list[Message]]], float, Any]


def _start_worker(parent: int) -> None:
    die_with_parent(parent)  # the runner killed (its build killed): the workers die too
    logging.getLogger("mkdocs").addHandler(_CAPTURE)


def _render_run(indexes: range) -> Outcome:
    """Render the pages ``indexes`` of the work; each page's record and messages, this
    worker's CPU seconds, and the error that stopped it (with its traceback), if any."""
    assert _WORK is not None
    render, files = _WORK
    start = time.process_time()
    done: list[tuple[int, dict[str, Any] | None, list[Message]]] = []
    for index in indexes:
        try:
            record = render(files[index])
        except Exception as error:
            done.append((index, None, _CAPTURE.take()))
            return done, time.process_time() - start, (_portable(error), traceback.format_exc())
        done.append((index, record, _CAPTURE.take()))
    return done, time.process_time() - start, None


def _portable(error: Exception) -> Exception:
    """``error`` if it survives the trip to the runner, else a RuntimeError that says it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _runs(count: int, jobs: int) -> list[range]:
    """``range(count)`` in runs of consecutive pages, several per job (the shares even out
    when a page takes long), none longer than :data:`PAGES_PER_TASK`."""
    size = max(1, min(PAGES_PER_TASK, count // (jobs * TASKS_PER_JOB)))
    return [range(start, min(count, start + size)) for start in range(0, count, size)]


def _log_again(messages: list[Message]) -> None:
    for name, level, message in messages:
        record = logging.makeLogRecord(
            {"name": name, "levelno": level, "levelname": logging.getLevelName(level)}
        )
        record.msg = message
        logging.getLogger(name).handle(record)


class PageWorkers:
    """Render ``files`` with ``render`` in ``jobs`` processes; iterate over ``(file,
    record)`` in page order (see the module). ``cpu``: the workers' CPU seconds, once done."""

    def __init__(self, render: Render, files: list[File], jobs: int) -> None:
        self.render = render
        self.files = files
        self.jobs = max(1, min(jobs, len(files)))
        self.cpu = 0.0

    def __iter__(self) -> Iterator[tuple[File, dict[str, Any]]]:
        if self.jobs == 1:
            for file in self.files:
                yield file, self.render(file)
            return
        global _WORK  # noqa: PLW0603 - what the forked workers inherit
        _WORK = (self.render, self.files)
        gc.freeze()  # the run's objects: no collection in a worker writes to their pages
        pool = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        try:
            tasks = [pool.submit(_render_run, run) for run in _runs(len(self.files), self.jobs)]
            for task in tasks:
                done, cpu, failed = task.result()
                self.cpu += cpu
                for index, record, messages in done:
                    _log_again(messages)
                    if record is not None:
                        yield self.files[index], record
                if failed is not None:
                    error, remote = failed
                    raise error from RemoteError(remote)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _WORK = None
            gc.unfreeze()
