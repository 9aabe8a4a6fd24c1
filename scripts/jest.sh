#!/bin/sh
# Jest in ESM mode on Node 24 (the action's runtime). Arguments go to jest.
set -eu
cd "$(dirname "$0")/.."
exec sh scripts/node24.sh node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js "$@"
