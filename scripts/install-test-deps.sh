#!/usr/bin/env bash
# Installs what the slow test suites need, only when it is missing (a re-run is quick):
# Node + npm and the interop verifier's node_modules, Debian's chromium, PostgreSQL, Pango.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_packages+=(postgresql)
# Pango (with HarfBuzz and fontconfig) for WeasyPrint's PDF of a learner's path; `make run`
# works without it (the PDF address then answers 503 and points to printing in the browser).
compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null || compgen -G '/usr/lib/libpangoft2-1.0.so.0' >/dev/null ||
  apt_packages+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing Debian packages: ${apt_packages[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

if [ -f interop/package-lock.json ]; then
  lock_hash=$(sha256sum interop/package-lock.json | cut -d' ' -f1)
  if [ ! -f interop/node_modules/.lock-hash ] || [ "$(cat interop/node_modules/.lock-hash)" != "$lock_hash" ]; then
    (cd interop && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_hash" > interop/node_modules/.lock-hash
  fi
fi
