"""The workspace's data generation (``store/generation.py``): every committed write raises it,
a rolled-back one does not, another connection sees it; results kept under it are computed again
after a write."""
import threading
import time

import pytest

from jmdiq_geo.store.generation import GENERATION_KEY, GENERATION_TTL, SharedResults
from jmdiq_geo.store.workspace import Workspace


def test_every_committed_write_raises_the_generation_and_a_rollback_does_not(tiny_ws):
    before = tiny_ws.data_generation()
    with tiny_ws.transaction():
        tiny_ws.set_meta(note="eins")
        with tiny_ws.transaction():                 # a nested call joins: one write, one step
            tiny_ws.set_meta(note="zwei")
    assert tiny_ws.data_generation() == before + 1
    with pytest.raises(RuntimeError):
        with tiny_ws.transaction():
            tiny_ws.set_meta(note="drei")
            raise RuntimeError("abgebrochen")
    assert tiny_ws.data_generation() == before + 1 and tiny_ws.meta()["note"] == "zwei"


def test_the_generation_is_stored_with_the_data(tiny_ws):
    """Another thread's cursor sees the new generation once the write commits, and a reopened
    workspace has it (it lives in the file, not in the object)."""
    seen = tiny_ws.data_generation()
    with tiny_ws.transaction():
        tiny_ws.set_meta(note="x")
        during = []
        reader = threading.Thread(target=lambda: during.append(tiny_ws.data_generation()))
        reader.start()
        reader.join()
    assert during == [seen] and tiny_ws.data_generation() == seen + 1
    path = tiny_ws.location
    tiny_ws.close()
    with Workspace(path, read_only=True) as reopened:
        assert reopened.data_generation() == seen + 1


def test_shared_results_are_computed_again_after_a_write(tiny_ws):
    calls = []

    def compute():
        calls.append(1)
        return tiny_ws.meta().get("note")

    assert tiny_ws.shared("note", compute) is None and tiny_ws.shared("note", compute) is None
    assert len(calls) == 1
    with tiny_ws.transaction():
        tiny_ws.set_meta(note="neu")
        assert tiny_ws.shared("note", compute) == "neu"      # inside the write: computed, not kept
    assert tiny_ws.shared("note", compute) == "neu" and len(calls) == 3
    assert tiny_ws.shared("note", compute) == "neu" and len(calls) == 3


@pytest.mark.backend_free
def test_shared_results_are_bounded_and_drop_older_generations():
    store = SharedResults(max_entries=3)
    for i in range(5):
        store.get_or_compute(1, i, lambda i=i: i * 10)
    assert len(store) == 3 and store.get_or_compute(1, 4, lambda: -1) == 40
    assert store.get_or_compute(1, 0, lambda: -1) == -1          # pushed out, computed again
    store.get_or_compute(2, "x", lambda: "neu")
    assert len(store) == 1                                       # generation 1 is never asked for again


@pytest.mark.backend_free
def test_shared_results_from_many_threads():
    store = SharedResults()
    out = []

    def work(n):
        out.append(store.get_or_compute(7, n % 4, lambda: (n % 4) ** 2))
    threads = [threading.Thread(target=work, args=(n,)) for n in range(40)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(out) == sorted((n % 4) ** 2 for n in range(40)) and len(store) == 4


def test_small_readers_are_kept_as_copies_and_read_again_after_a_write(tiny_ws):
    levels = tiny_ws.levels_in_order()
    levels.append("verändert")                              # the caller's own copy
    assert tiny_ws.levels_in_order() == ["plr", "bzr"]
    with tiny_ws.transaction():
        tiny_ws.put_level("land", label_de="Land", label_en="State", rank=2, parent_level=None)
        assert tiny_ws.levels_in_order() == ["plr", "bzr", "land"]      # inside the write: its own rows
    assert tiny_ws.levels_in_order() == ["plr", "bzr", "land"]
    assert GENERATION_KEY not in tiny_ws.meta()                        # bookkeeping, no setting


def test_another_connection_sees_a_write_within_the_ttl(tiny_ws):
    """Two workspace objects on one file (as two app processes on one database): the other one's
    write is seen at the latest ``GENERATION_TTL`` seconds after the last read."""
    other = Workspace(tiny_ws.location)
    try:
        before = tiny_ws.data_generation()
        assert tiny_ws.levels_in_order() == ["plr", "bzr"]
        with other.transaction():
            other.put_level("land", label_de="Land", label_en="State", rank=2, parent_level=None)
        time.sleep(GENERATION_TTL + 0.05)
        assert tiny_ws.data_generation() == before + 1
        assert tiny_ws.levels_in_order() == ["plr", "bzr", "land"]
    finally:
        other.close()
