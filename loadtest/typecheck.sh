#!/usr/bin/env bash
# Keeps the k6 scripts honest without a k6 binary: type-checks loadtest/k6 against the published k6 API types
# (@types/k6, pinned in package-lock.json) with the TypeScript compiler in checkJs mode, so a misspelt k6 call,
# option or metric fails the build, then runs the node unit tests of the scripts' pure helpers (playout model,
# Twilio signature data, TwiML and frame parsing). Needs node 18+ and npm; fetches only from the npm registry.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc -p .
echo "loadtest: k6 scripts type-check against @types/k6"
node --test k6/lib/
