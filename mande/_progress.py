"""A progress bar on standard error for command-line work that can take more than a moment.

Commands that read files, estimate or write reports (``mande ingest``, ``validate``, ``report``,
``demo load``, ...) wrap their work in :func:`working`; the bar pulses with the elapsed time, is
drawn only on a terminal, and is removed when the work ends, so output piped to a file is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Step(Protocol):
    """What :func:`working` yields: say which step runs now."""

    def __call__(self, text: str) -> None: ...


@contextmanager
def working(description: str) -> Iterator[Step]:
    """Show a pulsing progress bar with ``description`` and the elapsed time while the block runs.

    Yields a function that replaces the description (``step("Estimating indicators")``).
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task(description, total=None)

        def step(text: str) -> None:
            progress.update(task, description=text)

        yield step
