#!/usr/bin/env bash
# Set up (if needed), build the Berlin demo workspace (if missing) and start the app.
# Environment: JMDIQ_DATA_ROOT (default ../shared/data), JMDIQ_DB, PORT (default 8501),
# JMDIQ_ADDRESS (default 127.0.0.1: single-user without login; another address needs accounts,
# see README "Security and privacy"), JMDIQ_AUTH (accounts | oidc | single).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
db="${JMDIQ_DB:-workspace/berlin.duckdb}"
if [[ "$db" != postgres* ]] && [ ! -f "$db" ]; then      # a PostgreSQL URL: built or migrated by its admin
  .venv/bin/jmdiq-geo demo --db "$db" --quiet
fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" --server.headless true \
  --server.address "${JMDIQ_ADDRESS:-127.0.0.1}"
