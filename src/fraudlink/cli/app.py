"""The typer application every command registers on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

app = typer.Typer(
    name="fraudlink",
    help=(
        "fraudlink: police–platform cooperation against online fraud.\n\n"
        "Platforms detect fraud in their event streams and refer cases to police over a "
        "signed, encrypted channel; police investigate, trace funds and request freezes."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)


def fail(message: str, hint: str | None = None, code: int = 2) -> typer.Exit:
    """Print an error (and how to fix it) to stderr; return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}")
    if hint:
        err_console.print(f"[yellow]hint:[/] {hint}")
    return typer.Exit(code)


@app.callback()
def root() -> None:
    """fraudlink: police–platform cooperation against online fraud."""


@contextmanager
def spinner(quiet: bool) -> Iterator[Progress | None]:
    """A transient spinner on stderr naming the phase of a long load (none when quiet)."""
    if quiet:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:  # fmt: skip
        yield bar
