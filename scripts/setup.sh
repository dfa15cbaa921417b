#!/usr/bin/env bash
# Set up jmdiq-geo on a fresh Debian 12 / Python 3.11 machine. Idempotent: a second run only
# checks. Installs Debian packages it lacks (npm, postgresql-15 and postgresql-15-postgis-3; with --with-browser also chromium for the page
# tests, poppler-utils, python3-qgis and gdal-bin for the tests that open exports in real
# clients), a virtualenv in .venv with the pinned requirements.lock, and Leaflet from npm into
# static/vendor (the app serves it itself: no CDN).
set -euo pipefail
cd "$(dirname "$0")/.."

with_browser=0
[ "${1:-}" = "--with-browser" ] && with_browser=1

apt_needed=()
command -v npm >/dev/null 2>&1 || apt_needed+=(npm)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_needed+=(python3-venv)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt_needed+=(fonts-dejavu-core)   # PDF reports
# PostgreSQL + PostGIS: a shared workspace on a server (README, "A shared server"); the tests
# start their own server from these programs (tests/fixtures/postgres.py)
[ -x /usr/lib/postgresql/15/bin/initdb ] || apt_needed+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || apt_needed+=(postgresql-15-postgis-3)
if [ "$with_browser" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || apt_needed+=(poppler-utils)                    # PDF → PNG in tests
  # QGIS itself opens the exported GeoPackage in tests/clients (system python3, not the venv)
  /usr/bin/python3 -c 'import qgis.core' >/dev/null 2>&1 || apt_needed+=(python3-qgis)
  command -v ogrinfo >/dev/null 2>&1 || apt_needed+=(gdal-bin)                            # ogrinfo in tests
fi
if [ "${#apt_needed[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing Debian packages: ${apt_needed[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${apt_needed[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages from requirements.lock"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "setup: compiling the walking-access kernels (numba, cached on disk)"
  .venv/bin/python -c "from jmdiq_geo.analysis.access.compute import warm_up; print(f'setup: kernels ready in {warm_up():.1f} s')"
  echo "$want" > "$stamp"
fi

if [ ! -f static/vendor/leaflet.markercluster/leaflet.markercluster.js ] || [ package-lock.json -nt static/vendor/leaflet/leaflet.js ]; then
  echo "setup: installing front-end assets (npm ci)"
  npm ci --no-audit --no-fund --silent
  for pkg in leaflet leaflet-draw leaflet.markercluster; do
    mkdir -p "static/vendor/$pkg"
    cp -r "node_modules/$pkg/dist/." "static/vendor/$pkg/"
    rm -f "static/vendor/$pkg/"*.map "static/vendor/$pkg/"*-src*
  done
  touch static/vendor/leaflet/leaflet.js
fi
echo "setup: ok"
