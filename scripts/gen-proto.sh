#!/usr/bin/env bash
# Generates schema/generated/chat.{js,d.ts} from schema/chat.proto.
# With --check, generates into a temp dir and fails if the committed files differ (stale).
set -euo pipefail
cd "$(dirname "$0")/.."
out=schema/generated
if [ "${1:-}" = "--check" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"
npx pbjs -t static-module -w esm --es6 --force-number --no-verify --no-convert --no-delimited --no-service \
  --dts -o "$out/chat.js" schema/chat.proto
if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$out/chat.js" schema/generated/chat.js >/dev/null || ! diff -q "$out/chat.d.ts" schema/generated/chat.d.ts >/dev/null; then
    echo "schema/generated is stale: run 'npm run gen:proto' and commit the result" >&2
    exit 1
  fi
  echo "schema/generated is up to date"
fi
