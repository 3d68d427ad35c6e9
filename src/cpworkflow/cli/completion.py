"""Shell completion (click's): event types from the vocabulary, roles from the people, and
case ids from the store the command line names (`--db`, else `CPW_DB`, else the default).

Enable it once per shell, e.g. for bash: `eval "$(_CPW_COMPLETE=bash_source cpw)"` (zsh:
`zsh_source`, fish: `fish_source`); the README says where to put the line.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from cpworkflow.cli.support import DEFAULT_DB

if TYPE_CHECKING:  # click's completion module, only when completing (not for `show` itself)
    from click.shell_completion import CompletionItem

MAX_CASES = 200  # a shell offers no more than a screenful; type more of the id


def complete_event_type(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from cpworkflow.vocabulary.envelope import EVENT_TYPES

    return [CompletionItem(name) for name in EVENT_TYPES if name.startswith(incomplete)]


def complete_role(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    from cpworkflow.vocabulary.people import ROLES

    return [CompletionItem(role) for role in ROLES if role.startswith(incomplete)]


def complete_case_id(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The store's case ids that start with what is typed; none if the store cannot be read
    (completion must never print an error into the user's prompt)."""
    from click.shell_completion import CompletionItem

    from cpworkflow.store import EventStore

    db = ctx.find_root().params.get("db") or os.environ.get("CPW_DB") or DEFAULT_DB
    try:
        store = EventStore(str(db))
        try:
            ids = store.case_ids()
        finally:
            store.dispose()
    except Exception:  # noqa: BLE001 - no store, no completions; never a traceback
        return []
    found = [case_id for case_id in ids if case_id.startswith(incomplete)]
    return [CompletionItem(case_id) for case_id in found[:MAX_CASES]]
