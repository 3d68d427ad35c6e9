"""`cpw serve`: the read-only web view. Starlette, Jinja2 and uvicorn are imported only
here, inside the command, so no other command pays for them at start-up."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cpworkflow import logs
from cpworkflow.cli.support import App, pass_app, today
from cpworkflow.errors import BadInputError, StoreUnavailableError
from cpworkflow.policy.loading import policy_resolver
from cpworkflow.reads import Reads
from cpworkflow.service import CaseService


@click.command()
@click.option("--db", "db_url", metavar="URL", help="The store to show (default: cpw's --db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar="CPW_SERVE_TOKEN",
    help="Access token (env CPW_SERVE_TOKEN): a bearer token, or typed into the login page. "
    "Required to listen on anything but this machine.",
)
@click.option(
    "--checkpoint", "checkpoint_file", help="A signed checkpoint to check the log against."
)
@click.option("--public-key", "public_key_file", help="The key that signed --checkpoint.")
@click.pass_context
@pass_app
def serve(
    app: App,
    ctx: click.Context,
    db_url: str | None,
    host: str,
    port: int,
    token: str | None,
    checkpoint_file: str | None,
    public_key_file: str | None,
) -> None:
    """A read-only web view for auditors and managers: caseload, work tray, each case with
    its timeline and diagram, time travel, audit, rules. It never writes: the database is
    opened read-only.

    \b
    Example:
      cpw serve                                  # http://127.0.0.1:8000
      cpw --db sqlite:///eventstore/cpworkflow.db serve --port 8080
      CPW_SERVE_TOKEN=$(openssl rand -hex 16) cpw serve --host 0.0.0.0
      cpw serve --checkpoint checkpoints/2026-06-30.txt --public-key audit-2026.pub
    """
    from cpworkflow.store import EventStore
    from cpworkflow.web import serving
    from cpworkflow.web.app import create_app
    from cpworkflow.web.connection import read_only_url, store_label

    url = db_url or app.db
    serving.check_binding(host, token)
    if (checkpoint_file is None) != (public_key_file is None):
        raise BadInputError("give --checkpoint and --public-key together", field="--checkpoint")
    store = EventStore(read_only_url(url))
    store.count()  # a missing or unreachable store fails here (exit 6), not on the first page
    if not store.read_models.built():
        raise StoreUnavailableError(
            "this store's read models are not built yet, and cpw serve never writes: "
            "run `cpw rebuild` on it once, then serve it"
        )
    service = CaseService(store, today=today, policies=policy_resolver(*app.policy_files))
    root = ctx.find_root()
    level = (
        "info"
        if root.get_parameter_source("log_level") is click.core.ParameterSource.DEFAULT
        else root.params["log_level"]
    )
    logs.configure(level)
    checkpoint = None
    if checkpoint_file is not None and public_key_file is not None:
        from cpworkflow.cli.trust import checkpoint_report

        checkpoint = checkpoint_report(_ReadOnly(app, service), checkpoint_file, public_key_file)
        checkpoint["checked_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    web = create_app(
        Reads(service), token=token, store_label=store_label(url), checkpoint=checkpoint
    )
    click.echo(f"serving {store_label(url)} on http://{host}:{port} (read-only)", err=True)
    try:
        serving.run(web, host, port, level)
    finally:
        store.dispose()


class _ReadOnly(App):
    """This command's app, its service the read-only one (for the checkpoint check)."""

    def __init__(self, base: App, service: CaseService) -> None:
        super().__init__(base.db, base.policy_files)
        self._service = service
