"""The three stores under test, each behind the same five calls, on a fresh SQLite file or a
fresh PostgreSQL schema: cpworkflow's EventStore, the `eventsourcing` library's application
recorder, and plain SQLAlchemy Core on a plain table (the floor)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.persistence import StoredEvent as EsStoredEvent

from cpworkflow.records import NewEvent
from cpworkflow.store import EventStore

BATCH = 1000  # rows per query when reading everything in global order


class Store(Protocol):
    def append_case(self, case_id: str, events: list[NewEvent]) -> None: ...
    def append_one(self, case_id: str, event: NewEvent, expected: int) -> None: ...
    def load(self, case_id: str) -> int: ...
    def read_all(self) -> int: ...
    def close(self) -> None: ...


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Cpworkflow:
    """`EventStore.append` with expected_version: checks, canonical JSON, hash chain,
    idempotency-key lookup, version check, INSERT ... RETURNING, append-only triggers."""

    def __init__(self, url: str) -> None:
        self.store = EventStore(url)
        self.store.init()

    def append_case(self, case_id: str, events: list[NewEvent]) -> None:
        self.store.append(case_id, events, expected_version=0)

    def append_one(self, case_id: str, event: NewEvent, expected: int) -> None:
        self.store.append(case_id, [event], expected_version=expected)

    def load(self, case_id: str) -> int:
        return len(self.store.load(case_id))

    def read_all(self) -> int:
        return sum(1 for _ in self.store.read_all(batch_size=BATCH))

    def close(self) -> None:
        self.store.dispose()


def eventsourcing_at(backend: str, place: str) -> Eventsourcing:
    """The eventsourcing recorder at a place as the bench scripts pass it between processes:
    a SQLite file's path, or "URL|schema" on PostgreSQL."""
    if backend == "sqlite":
        return Eventsourcing("sqlite", Path(place))
    url, schema = place.rsplit("|", 1)
    return Eventsourcing("postgresql", (sa.make_url(url), schema))


class Eventsourcing:
    """The library's ApplicationRecorder (what an Application's event store calls), fed
    StoredEvents whose state is encoded by its JSONTranscoder, as its Mapper does. The
    primary key (originator_id, originator_version) is its optimistic concurrency control."""

    def __init__(self, backend: str, where: Any) -> None:
        self.transcoder = JSONTranscoder()
        if backend == "sqlite":
            from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

            self.datastore: Any = SQLiteDatastore(str(where), originator_id_type="text")
            self.recorder: Any = SQLiteApplicationRecorder(self.datastore)
        else:
            from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

            url, schema = where
            self.datastore = PostgresDatastore(
                url.database,
                url.host or "127.0.0.1",
                url.port or 5432,
                url.username or "",
                url.password or "",
                schema=schema,
                originator_id_type="text",
            )
            self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()

    def _stored(self, e: NewEvent, seq: int, timestamp: str) -> EsStoredEvent:
        state = {
            "timestamp": timestamp,
            "occurred_on": e.occurred_on.isoformat(),
            "actor": e.actor,
            "data": e.data,
            "decision": e.decision,
            "schema_version": e.schema_version,
            "policy": e.policy,
            "policy_version": e.policy_version,
            "key": e.key,
        }
        topic = f"cpworkflow.vocabulary.envelope:{e.type}"
        return EsStoredEvent(e.case_id, seq, topic, self.transcoder.encode(state))

    def append_case(self, case_id: str, events: list[NewEvent]) -> None:
        now = _now()
        self.recorder.insert_events([self._stored(e, i, now) for i, e in enumerate(events, 1)])

    def append_one(self, case_id: str, event: NewEvent, expected: int) -> None:
        self.recorder.insert_events([self._stored(event, expected + 1, _now())])

    def load(self, case_id: str) -> int:
        return len([self.transcoder.decode(s.state) for s in self.recorder.select_events(case_id)])

    def read_all(self) -> int:
        count, start = 0, 1
        while True:
            batch = self.recorder.select_notifications(start, BATCH)
            count += len([self.transcoder.decode(n.state) for n in batch])
            if len(batch) < BATCH:
                return count
            start = batch[-1].id + 1

    def close(self) -> None:
        self.datastore.close()


_plain_metadata = sa.MetaData()
PLAIN = sa.Table(
    "plain_events",
    _plain_metadata,
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    *(sa.Column(name, sa.Text, nullable=False) for name in ("case_id", "type", "recorded_at")),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    *(sa.Column(name, sa.Text, nullable=False) for name in ("actor", "data", "decision")),
    sa.Column("schema_version", sa.Integer, nullable=False),
    *(sa.Column(name, sa.Text, nullable=False) for name in ("policy", "policy_version")),
    sa.Column("key", sa.Text),
    sa.UniqueConstraint("case_id", "seq"),  # needed to read a case back; also a version check
)


class Plain:
    """The floor: the same event content inserted with SQLAlchemy Core (executemany, one
    transaction per append, json.dumps): no hash chain, no triggers, no checks."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        _plain_metadata.create_all(self.engine)

    def _rows(self, events: list[NewEvent], first_seq: int) -> list[dict[str, Any]]:
        now = _now()
        return [
            {
                "case_id": e.case_id,
                "seq": seq,
                "type": e.type,
                "occurred_on": e.occurred_on,
                "recorded_at": now,
                "actor": json.dumps(e.actor),
                "data": json.dumps(e.data),
                "decision": json.dumps(e.decision),
                "schema_version": e.schema_version,
                "policy": e.policy,
                "policy_version": e.policy_version,
                "key": e.key,
            }
            for seq, e in enumerate(events, first_seq)
        ]

    def append_case(self, case_id: str, events: list[NewEvent]) -> None:
        with self.engine.begin() as connection:
            connection.execute(PLAIN.insert(), self._rows(events, 1))

    def append_one(self, case_id: str, event: NewEvent, expected: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(PLAIN.insert(), self._rows([event], expected + 1))

    def _decoded(self, query: sa.Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            {
                **r,
                "actor": json.loads(r["actor"]),
                "data": json.loads(r["data"]),
                "decision": json.loads(r["decision"]),
            }
            for r in rows
        ]

    def load(self, case_id: str) -> int:
        return len(self._decoded(PLAIN.select().where(PLAIN.c.case_id == case_id).order_by("seq")))

    def read_all(self) -> int:
        count, last = 0, 0
        while True:
            query = PLAIN.select().where(PLAIN.c.position > last).order_by("position")
            batch = self._decoded(query.limit(BATCH))
            count += len(batch)
            if len(batch) < BATCH:
                return count
            last = batch[-1]["position"]

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """As cpworkflow's and eventsourcing's connections: WAL and synchronous=FULL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


SYSTEMS = ("cpworkflow", "eventsourcing", "plain")


@contextmanager
def opened(system: str, backend: str, tmp: Path, pg_url: str | None) -> Iterator[Store]:
    """`system` on a fresh SQLite file in `tmp`, or a fresh PostgreSQL schema (dropped after)."""
    name = f"bench_{system}_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        path = tmp / f"{name}.db"
        store: Store = (
            Eventsourcing("sqlite", path)
            if system == "eventsourcing"
            else (Cpworkflow if system == "cpworkflow" else Plain)(f"sqlite:///{path}")
        )
        try:
            yield store
        finally:
            store.close()
        return
    assert pg_url is not None
    base = sa.make_url(pg_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = base.update_query_dict({"options": f"-csearch_path={name}"})
    text = url.render_as_string(hide_password=False)
    try:
        if system == "eventsourcing":
            store = Eventsourcing("postgresql", (base, name))
        else:
            store = (Cpworkflow if system == "cpworkflow" else Plain)(text)
        try:
            yield store
        finally:
            store.close()
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()
