#!/usr/bin/env bash
# Set up (including Debian's chromium for the page tests, python3-qgis and gdal-bin for the export
# tests) and run every test.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k import`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-browser
exec .venv/bin/python -m pytest "$@"
