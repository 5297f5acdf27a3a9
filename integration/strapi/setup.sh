#!/usr/bin/env bash
# Installs the Strapi 5 test app of this folder (for test-integration/registrar.test.ts)
# exactly as package-lock.json says, with `npm ci`, and checks that the native SQLite driver
# (better-sqlite3, compiled from source by node-gyp: python3, make and g++) loads.
#
# Idempotent: node_modules/.lock-hash records what the last complete install was made from
# (package-lock.json, package.json's allowScripts, Node's ABI); when it matches and
# better-sqlite3 loads, nothing is done. Run from anywhere: bash integration/strapi/setup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

log() { echo "integration/strapi/setup.sh: $*"; }
loads() { node -e "const D = require('better-sqlite3'); new D(':memory:').prepare('select 1 as one').get();" 2>/dev/null; }

want="$(
  {
    cat package-lock.json
    node -e "process.stdout.write(JSON.stringify(require('./package.json').allowScripts || {}))"
    node -p "process.versions.modules + ' ' + process.platform + ' ' + process.arch"
  } | sha256sum | cut -d' ' -f1
)"

if [[ -f node_modules/.lock-hash && "$(cat node_modules/.lock-hash)" == "$want" ]] \
  && [[ -f node_modules/@strapi/strapi/bin/strapi.js ]] && loads; then
  log "node_modules is up to date with package-lock.json; nothing to do"
  exit 0
fi

for tool in node npm python3 make g++; do
  command -v "$tool" >/dev/null || { log "needs $tool (better-sqlite3 is built from source)"; exit 1; }
done

start=$SECONDS
log "installing with npm ci (about 700 MB; better-sqlite3 compiles for a minute or two)"
rm -f node_modules/.lock-hash
# package.json's allowScripts lets better-sqlite3's install script (its node-gyp build) run
# on npm 11, which skips dependency install scripts that are not allowed.
npm ci --no-audit --no-fund

if ! loads; then
  log "better-sqlite3 does not load after npm ci (its install script skipped or failed?); rebuilding it"
  npm rebuild better-sqlite3 --foreground-scripts
fi
if ! loads; then
  node -e "require('better-sqlite3')" || true
  log "better-sqlite3 still does not load; giving up"
  exit 1
fi

echo "$want" > node_modules/.lock-hash
log "installed in $((SECONDS - start)) s; better-sqlite3 loads"
