"""The workspace's data generation and the results shared under it.

Every write transaction raises the generation by one as its last statement (``Workspace.
transaction`` calls ``_bump_generation`` before it commits), so the counter moves with every
committed write of any process on the workspace and never with a rolled-back one. Anything
derived from the workspace (an indicator layer with its privacy rules, a map payload) can be
kept under the generation it was computed at: the next read after a write sees a new
generation and computes again.

``shared(key, compute)`` is that keeping, for everybody who holds the same ``Workspace`` object
(the app's sessions share one; the CLI and tests have their own): a bounded dictionary of
(generation, key) → result. Inside a write transaction it computes without keeping (the
transaction's own writes are not committed yet).
"""
from __future__ import annotations

import functools
import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")

#: the meta key of the counter
GENERATION_KEY = "data_generation"
#: how long a generation read is trusted (seconds). A write through this workspace object is seen
#: at once (its commit forgets the read); a write by another process or connection (several app
#: processes on PostgreSQL) within this time after the last read.
GENERATION_TTL = 0.5


def generational(method):
    """Keep a small reader's result (levels, indicators, meta …) under the generation: a page run
    asks for them a dozen times, each a query; callers get a copy (a frame, list, set or dict)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        value = self.shared(key, lambda: method(self, *args, **kwargs))
        return value.copy() if hasattr(value, "copy") else value
    return wrapper


class SharedResults:
    """A bounded, thread-safe store of results by (generation, key), least recently used out
    first. Two threads asking for the same missing key both compute it (no lock is held while
    computing: a slow layer must not block other sessions' reads); the second result replaces
    the first, which is equal."""

    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, generation: int, key: Hashable, compute: Callable[[], T]) -> T:
        full = (generation, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                return self._items[full]           # type: ignore[return-value]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[full] = value
            self._items.move_to_end(full)
            for old in [k for k in self._items if k[0] < generation]:
                del self._items[old]               # computed before a write: never asked for again
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


class GenerationRepository:
    """The generation counter of a workspace (a row of ``meta``) and its shared results."""

    def data_generation(self) -> int:
        """The number of write transactions committed so far (0 for a workspace never written
        since the counter came); a read is trusted for ``GENERATION_TTL`` seconds unless this
        object commits a write meanwhile."""
        if self._in_transaction:
            return self._read_generation()
        seen = self.__dict__.get("_generation_seen")
        now = time.monotonic()
        if seen is not None and now - seen[1] < GENERATION_TTL and seen[2] == self.__dict__.get("_commits", 0):
            return seen[0]
        commits = self.__dict__.get("_commits", 0)
        value = self._read_generation()
        self.__dict__["_generation_seen"] = (value, now, commits)   # stale at once if a commit came between
        return value

    def _read_generation(self) -> int:
        row = self.cursor().execute("SELECT value FROM meta WHERE key = ?", [GENERATION_KEY]).fetchone()
        return int(row[0]) if row else 0

    def _committed(self) -> None:
        """Called by ``transaction`` after every commit or rollback: the next read asks again."""
        self.__dict__["_commits"] = self.__dict__.get("_commits", 0) + 1

    def _bump_generation(self) -> None:
        """Raise the counter by one; called by ``transaction`` inside the write, before commit."""
        self.con.execute("INSERT INTO meta SELECT ?, '0' WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = ?)",
                         [GENERATION_KEY, GENERATION_KEY])
        self.con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = ?",
                         [GENERATION_KEY])

    @property
    def shared_results(self) -> SharedResults:
        """This workspace object's store of shared results (made on first use)."""
        return self.__dict__.setdefault("_shared_results", SharedResults())

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, kept under the current generation and ``key`` for every caller of this
        workspace object; inside this thread's write transaction, computed and not kept."""
        if self._in_transaction:
            return compute()
        return self.shared_results.get_or_compute(self.data_generation(), key, compute)
