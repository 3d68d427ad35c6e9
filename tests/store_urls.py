"""The URLs the store tests open a SQLite file by."""

from __future__ import annotations


def through_sqlalchemy(url: str) -> str:
    """The same SQLite file by a URL the direct path leaves to SQLAlchemy (a %-escape,
    which SQLAlchemy unescapes): the general path on SQLite."""
    return url.replace(".db", "%2Edb")
