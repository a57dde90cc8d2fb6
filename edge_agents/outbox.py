"""The line's local outbox: every event is on disk here before anything else happens to it.

One SQLite file per line (WAL, synchronous=FULL, so an appended event survives a power cut).
The agent appends; the uplink, in another process on the same machine, reads unshipped events
in order and marks them shipped once the centre has committed them. Plans coming back from the
centre land in the inbox table, operators' commands from the HMI in the commands table; the
state of the uplink itself is kept in the links table so the agent can turn changes into events.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import InputError
from core.events import Event, EventType, utcnow
from core.settings import atelier_home

log = logging.getLogger(__name__)

Statement = tuple[str, Sequence[Any]]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    shipped_at TEXT,
    rejected TEXT
);
CREATE INDEX IF NOT EXISTS ix_outbox_unshipped ON outbox (shipped_at, rejected, seq);
CREATE TABLE IF NOT EXISTS inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    taken_at TEXT
);
CREATE TABLE IF NOT EXISTS commands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied_at TEXT
);
CREATE TABLE IF NOT EXISTS links (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    since TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS alarm_states (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    event_id TEXT NOT NULL
);
"""

# Alarm events whose payload is the alarm's whole state (`Alarm.to_dict()`): the latest one per
# key is kept in `alarm_states`, in the transaction that writes it, for the agent's restart.
_ALARM_STATE_EVENTS = (EventType.ALARM_RAISED, EventType.ALARM_CHANGED)
_SAVE_ALARM = (
    "INSERT INTO alarm_states (key, body, event_id) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET body = excluded.body, event_id = excluded.event_id"
)


def outbox_path(line: str, home: Path | None = None) -> Path:
    """Where a line's outbox lives: `<ATELIER_HOME>/outbox/<line>.sqlite`."""
    return (home or atelier_home()) / "outbox" / f"{line}.sqlite"


class Outbox:
    """A line's outbox, inbox and link states in one SQLite file; safe across threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise InputError(f"outbox {self.path} cannot be opened: {exc}") from exc
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _write(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.executemany(sql, rows)
                count = cur.rowcount
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            return count

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # --- events -------------------------------------------------------------------------

    def append(self, events: Sequence[Event]) -> None:
        """Write events durably, in one transaction; an id already present is kept as it was.
        An alarm's state in an alarm event is kept as that alarm's latest (`alarm_states`)."""
        self.append_with(events, [])

    def alarm_states(self) -> dict[str, dict[str, Any]]:
        """Each alarm's state as its latest alarm event wrote it (`Alarm.to_dict()`), by key:
        what the line's operators saw and did, for the agent to start from after a restart."""
        return {
            key: json.loads(body) for key, body in self._read("SELECT key, body FROM alarm_states")
        }

    def unshipped(self, limit: int = 500) -> list[Event]:
        """The oldest events not yet confirmed by the centre, in the order they were written."""
        rows = self._read(
            "SELECT body FROM outbox WHERE shipped_at IS NULL AND rejected IS NULL "
            "ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [Event.from_dict(json.loads(body)) for (body,) in rows]

    def unshipped_texts(
        self, limit: int = 5000, max_bytes: int = 8 * 2**20, after: int = 0
    ) -> list[tuple[int, str, str]]:
        """`(seq, id, JSON text)` of the oldest unshipped events (with a sequence number above
        `after`), in the order they were written: at most `limit`, and no more text than
        `max_bytes` (but always the first one). The text goes to the centre as it is, with no
        decoding here."""
        rows = self._read(
            "SELECT seq, id, body FROM outbox WHERE shipped_at IS NULL AND rejected IS NULL "
            "AND seq > ? ORDER BY seq LIMIT ?",
            (after, limit),
        )
        size = 0
        for n, (_seq, _id, body) in enumerate(rows):
            size += len(body)
            if size > max_bytes and n > 0:
                return rows[:n]
        return rows

    def mark_shipped_seqs(self, seqs: Sequence[int]) -> None:
        """Like `mark_shipped`, by the outbox's own sequence numbers (its primary key)."""
        now = utcnow().isoformat()
        self._write(
            "UPDATE outbox SET shipped_at = ? WHERE seq = ? AND shipped_at IS NULL",
            [(now, seq) for seq in seqs],
        )

    def mark_shipped(self, event_ids: Sequence[str]) -> None:
        """Record that the centre committed these events; they are not shipped again."""
        now = utcnow().isoformat()
        self._write(
            "UPDATE outbox SET shipped_at = ? WHERE id = ? AND shipped_at IS NULL",
            [(now, i) for i in event_ids],
        )

    def mark_rejected(self, reasons: Sequence[tuple[str, str]]) -> None:
        """Set aside events the centre refused as malformed: kept here, never shipped again."""
        self._write(
            "UPDATE outbox SET rejected = ? WHERE id = ? AND shipped_at IS NULL",
            [(reason, event_id) for event_id, reason in reasons],
        )

    def rejected(self) -> list[tuple[str, str]]:
        """Events the centre refused, with the reason, oldest first."""
        return [
            (i, r)
            for i, r in self._read(
                "SELECT id, rejected FROM outbox WHERE rejected IS NOT NULL ORDER BY seq"
            )
        ]

    def requeue_shipped(self) -> int:
        """Ship every kept event again (after the central store was restored from a backup).

        Safe because central ingest is idempotent on the event id; returns how many were queued.
        """
        return self._write("UPDATE outbox SET shipped_at = NULL WHERE shipped_at IS NOT NULL", [()])

    def prune_shipped(self, older_than: datetime) -> int:
        """Forget events the centre committed before `older_than`; returns how many went."""
        return self._write(
            "DELETE FROM outbox WHERE shipped_at IS NOT NULL AND shipped_at < ?",
            [(older_than.isoformat(),)],
        )

    def depth(self) -> int:
        """How many events wait to be shipped."""
        sql = "SELECT COUNT(*) FROM outbox WHERE shipped_at IS NULL AND rejected IS NULL"
        return int(self._read(sql)[0][0])

    def shipped_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM outbox WHERE shipped_at IS NOT NULL")[0][0])

    def all_ids(self) -> list[str]:
        """Every event id ever written, in order (for audits and tests)."""
        return [i for (i,) in self._read("SELECT id FROM outbox ORDER BY seq")]

    def append_with(self, events: Sequence[Event], statements: Sequence[Statement]) -> None:
        """Run `statements` and append `events` in one transaction: a state change and the
        events that report it are on disk together or not at all."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    cur.execute(sql, args)
                cur.executemany(
                    "INSERT OR IGNORE INTO outbox (id, body) VALUES (?, ?)",
                    [(e.id, json.dumps(e.to_dict())) for e in events],
                )
                alarms = [e for e in events if e.type in _ALARM_STATE_EVENTS and "key" in e.payload]
                if alarms:
                    cur.executemany(
                        _SAVE_ALARM,
                        [(str(e.payload["key"]), json.dumps(e.payload), e.id) for e in alarms],
                    )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Read rows from the outbox file (the agent's sibling tables live here too)."""
        return self._read(sql, args)

    def ensure_tables(self, script: str) -> None:
        """Create a sibling table set in the same file (idempotent `CREATE ... IF NOT EXISTS`)."""
        with self._lock:
            self._conn.executescript(script)

    def drop_oldest_unshipped(self, types: Sequence[str], count: int) -> dict[str, int]:
        """Delete up to `count` of the oldest unshipped events of these types (thinning when
        the outbox is at its bound); returns how many went per type."""
        if count <= 0 or not types:
            return {}
        marks = ",".join("?" * len(types))
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                rows = cur.execute(
                    "SELECT seq, json_extract(body, '$.type') FROM outbox "
                    f"WHERE shipped_at IS NULL AND rejected IS NULL "
                    f"AND json_extract(body, '$.type') IN ({marks}) ORDER BY seq LIMIT ?",
                    [*types, count],
                ).fetchall()
                cur.executemany("DELETE FROM outbox WHERE seq = ?", [(seq,) for seq, _ in rows])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        dropped: dict[str, int] = {}
        for _, kind in rows:
            dropped[kind] = dropped.get(kind, 0) + 1
        return dropped

    # --- plans coming back --------------------------------------------------------------

    def put_plan(self, plan_id: str, payload: dict[str, Any]) -> bool:
        """Store a plan from the centre; returns False when this plan id was already here."""
        count = self._write(
            "INSERT OR IGNORE INTO inbox (plan_id, payload, received_at) VALUES (?, ?, ?)",
            [(plan_id, json.dumps(payload), utcnow().isoformat())],
        )
        return count > 0

    def take_plans(self) -> list[tuple[str, dict[str, Any]]]:
        """Plans not yet taken by the agent, oldest first; each is handed out once."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                rows = cur.execute(
                    "SELECT plan_id, payload FROM inbox WHERE taken_at IS NULL ORDER BY seq"
                ).fetchall()
                cur.executemany(
                    "UPDATE inbox SET taken_at = ? WHERE plan_id = ?",
                    [(utcnow().isoformat(), plan_id) for plan_id, _ in rows],
                )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return [(plan_id, json.loads(payload)) for plan_id, payload in rows]

    def plan_ids(self) -> list[str]:
        return [p for (p,) in self._read("SELECT plan_id FROM inbox ORDER BY seq")]

    # --- operators' commands coming back --------------------------------------------------

    def put_commands(self, commands: Sequence[dict[str, Any]]) -> int:
        """Store commands from the centre in the order given; a command id already here is kept
        as it was (a redelivery). Returns how many were new."""
        now = utcnow().isoformat()
        return self._write(
            "INSERT OR IGNORE INTO commands (command_id, body, received_at) VALUES (?, ?, ?)",
            [(str(c["id"]), json.dumps(c), now) for c in commands],
        )

    def pending_commands(self) -> list[tuple[str, dict[str, Any]]]:
        """Commands not yet applied by the agent, in the order they arrived."""
        rows = self._read(
            "SELECT command_id, body FROM commands WHERE applied_at IS NULL ORDER BY seq"
        )
        return [(command_id, json.loads(body)) for command_id, body in rows]

    def command_ids(self) -> list[str]:
        return [c for (c,) in self._read("SELECT command_id FROM commands ORDER BY seq")]

    @staticmethod
    def command_applied(command_id: str) -> Statement:
        """The statement marking a command applied; run it in the transaction of its effect."""
        return (
            "UPDATE commands SET applied_at = ? WHERE command_id = ? AND applied_at IS NULL",
            (utcnow().isoformat(), command_id),
        )

    # --- link states --------------------------------------------------------------------

    def set_link(self, name: str, state: str, detail: str = "") -> None:
        """Record a link's state; `since` changes only when the state does."""
        now = utcnow().isoformat()
        self._write(
            "INSERT INTO links (name, state, since, detail) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET detail = excluded.detail, "
            "since = CASE WHEN links.state = excluded.state THEN links.since "
            "ELSE excluded.since END, state = excluded.state",
            [(name, state, now, detail)],
        )

    def links(self) -> dict[str, tuple[str, datetime, str]]:
        """Each link's state, since when, and a detail line."""
        rows = self._read("SELECT name, state, since, detail FROM links")
        return {n: (s, datetime.fromisoformat(t), d) for n, s, t, d in rows}
