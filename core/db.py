"""Engine and sessions for the store: the same code on SQLite (WAL) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Dialect, Engine, Table, TypeDecorator, create_engine, event, insert
from sqlalchemy.orm import Session, sessionmaker

from core import jsontext
from core.settings import database_url


def _normalise(url: str) -> str:
    # Plain postgresql:// URLs use psycopg 3, the driver we ship.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str | None = None) -> Engine:
    url = _normalise(url or database_url())
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=jsontext.dumps,
            json_deserializer=jsontext.loads,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        json_serializer=jsontext.dumps,
        json_deserializer=jsontext.loads,
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed whole or rolled back whole."""
    with session_factory(engine)() as session, session.begin():
        yield session


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (dicts with the same columns) in the session's transaction, as fast as
    the database allows: COPY on PostgreSQL; elsewhere one driver executemany with each
    column's conversion looked up once (and a value seen before converted once), rather than
    SQLAlchemy's per-row parameter processing."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    names = list(rows[0])
    if dialect.name == "postgresql":
        procs = [_copy_value(table.c[name].type, dialect) for name in names]
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([p(row[n]) if p else row[n] for n, p in zip(names, procs)])  # noqa: B905
        return
    if dialect.paramstyle != "qmark":
        conn.execute(insert(table), rows)
        return
    converts: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(names):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            converts.append((i, processor))
    get = itemgetter(*names)
    # Times repeat across a batch (six signals share a second): each distinct one converted once.
    seen: dict[Any, Any] = {}
    data = []
    for row in rows:
        values = list(get(row)) if len(names) > 1 else [get(row)]
        for i, convert in converts:
            value = values[i]
            if isinstance(value, dict | list):
                values[i] = convert(value)
            elif (value, i) in seen:
                values[i] = seen[value, i]
            else:
                values[i] = seen[value, i] = convert(value)
        data.append(tuple(values))
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", data)


def _copy_value(kind: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    # COPY takes what psycopg adapts by itself; JSON goes as its text (as the engine's serializer
    # writes it), UTC times checked as in the column type (a naive time is refused the same way).
    if isinstance(kind, TypeDecorator):
        return lambda value: kind.process_bind_param(value, dialect)
    if isinstance(kind, JSON):
        return lambda value: None if value is None else jsontext.dumps(value)
    return None
