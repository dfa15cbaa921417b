"""What every importer shares: the source a file comes from, the report it returns, and the one
transaction that writes it (with the file's sha256 in the import log)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from jmdiq_geo.errors import Problem
from jmdiq_geo.io.names import JoinReport
from jmdiq_geo.store.workspace import Workspace


@dataclass
class Source:
    source_id: str
    title: str
    publisher: str | None = None
    licence: str | None = None
    attribution: str | None = None
    url: str | None = None
    reference_date: str | None = None


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int = 0
    written: int = 0
    notices: list[Problem] = field(default_factory=list)
    join: JoinReport | None = None
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "file": self.file, "rows": self.rows, "written": self.written,
                "notices": [asdict(p) for p in self.notices],
                "join": self.join.as_dict() if self.join else None, "details": self.details}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for part in sorted(path.rglob("*")):
            if part.is_file():
                digest.update(part.read_bytes())
        return digest.hexdigest()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def commit_import(ws: Workspace, report: ImportReport, source: Source, path: Path, options: dict, write,
            dry_run: bool = False) -> ImportReport:
    """Write in one transaction (or, for ``dry_run``, only report what would be written)."""
    report.details["dry_run"] = dry_run
    if dry_run:
        return report
    with ws.transaction():
        ws.put_source(asdict(source))
        write()
        # the file's full path too, so the workspace can write the manifest that rebuilds it
        ws.log_import(kind=report.kind, file=path.name, sha256=file_sha256(path), source_id=source.source_id,
                      options={**options, "file_path": str(path.resolve())}, report=report.as_dict())
    return report
