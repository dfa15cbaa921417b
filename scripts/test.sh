#!/usr/bin/env bash
# Set up (including Debian's chromium for the page tests, python3-qgis and gdal-bin for the export
# tests, postgresql-15 with PostGIS for the second backend) and run every test: the whole suite on
# DuckDB files, then the store and service tests again with their workspaces in PostgreSQL (a
# server the tests start themselves: tests/fixtures/postgres.py).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k import`; when they name test files
# or folders, only those run, on DuckDB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
.venv/bin/python -m pytest "$@"
for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then exit 0; fi
done
exec .venv/bin/python -m pytest "$@" --backend postgres tests/store tests/services
