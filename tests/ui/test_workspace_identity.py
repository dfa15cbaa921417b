"""The app keeps one connection per workspace file: the key is the file's identity, which a
write and a checkpoint leave as it is (the mtime does not: keyed on it, the app opened a second
connection after every checkpoint, with its own write lock and its own recovery run beside other
sessions' transactions); a workspace rebuilt and moved into place is a new file."""
import os
import shutil

from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.ui.state import file_identity


def test_writes_and_checkpoints_keep_the_identity_a_replaced_file_changes_it(tiny_ws, tmp_path):
    path = tiny_ws.path
    before_id, before_mtime = file_identity(path), path.stat().st_mtime_ns
    with tiny_ws.transaction():
        tiny_ws.set_meta(note="geschrieben")
    tiny_ws.checkpoint()
    assert path.stat().st_mtime_ns != before_mtime          # what the old key changed on
    assert file_identity(path) == before_id
    copy = tmp_path / "neu.duckdb"
    tiny_ws.close()
    shutil.copy(path, copy)
    os.replace(copy, path)                                  # as demo/restore put a new file in place
    assert file_identity(path) != before_id
    with Workspace(path) as ws:
        assert ws.meta()["note"] == "geschrieben"
