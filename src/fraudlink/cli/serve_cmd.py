"""``fraudlink serve``: the node's inbox (and, later, its web UI) over HTTP or HTTPS."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.markup import escape

from fraudlink.cli.app import app, err_console, fail
from fraudlink.cli.node_cmd import HomeOpt, PlainOpt, read_passphrase
from fraudlink.detect.live import tune_gc_for_latency
from fraudlink.exchange.keys import KeyFileError
from fraudlink.exchange.node import NodeError
from fraudlink.web.app import create_app
from fraudlink.web.serving import proxy_options
from fraudlink.web.settings import Settings
from fraudlink.web.workers import serve_workers


@app.command("serve")
def serve_command(
    home: HomeOpt,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM); serve HTTPS with --keyfile.")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    events: Annotated[
        Path | None,
        typer.Option(help="The platform's events (file or world folder) for case evidence."),
    ] = None,
    pump_every: Annotated[
        float, typer.Option(help="Seconds between outbox rounds; 0 to not send from here.")
    ] = 2.0,
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Processes answering requests (about one per core)."),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            help="Log every request to stderr (the audit log records views, logins "
            "and refusals either way); off saves a few per cent of CPU per request."
        ),
    ] = True,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="A reverse proxy (address or network) whose X-Forwarded-For is believed; "
            "repeat for several. None by default: the peer's own address counts.",
        ),
    ] = None,
    plain: PlainOpt = False,
) -> None:
    """Serve this node's inbox: receive sealed messages, answer with signed receipts."""
    if (certfile is None) != (keyfile is None):
        raise fail("give both --certfile and --keyfile for HTTPS, or neither")
    try:
        proxies = proxy_options(trusted_proxy or [])
    except ValueError as exc:
        raise fail(escape(str(exc))) from exc
    settings = Settings(home=home, passphrase=read_passphrase(plain), pump_every=pump_every,
                        tls=certfile is not None, events=events, workers=workers)  # fmt: skip
    try:
        application = create_app(settings)
    except (NodeError, KeyFileError) as exc:
        raise fail(escape(str(exc))) from exc
    scheme = "https" if certfile else "http"
    node = application.state.node
    err_console.print(f"node {escape(node.info.org)} ({node.info.role}) serving its inbox at "
                      f"{scheme}://{host}:{port}/exchange/v1/inbox")  # fmt: skip
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    options: dict[str, Any] = {
        "log_level": "info",
        "access_log": access_log,
        "ssl_certfile": str(certfile) if certfile else None,
        "ssl_keyfile": str(keyfile) if keyfile else None,
        **proxies,
    }
    if workers > 1:
        del application  # each worker builds its own
        err_console.print(f"{workers} worker processes")
        serve_workers(settings, host, port, workers, options)
        return
    tune_gc_for_latency()  # the payee check's slowest answers were collector pauses
    uvicorn.run(application, host=host, port=port, **options)
