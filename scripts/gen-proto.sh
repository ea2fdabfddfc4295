#!/usr/bin/env bash
# Generates protocol/generated/chat.{js,d.ts} from protocol/chat.proto (the @mqtt-chat/protocol
# package, shared by the server and the SDK).
# With --check, generates into a temp dir and fails if the committed files differ (stale).
set -euo pipefail
cd "$(dirname "$0")/.."
committed=protocol/generated
out=$committed
if [ "${1:-}" = "--check" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out"
npx pbjs -t static-module -w esm --es6 --force-number --no-verify --no-convert --no-delimited --no-service \
  --dts -o "$out/chat.js" protocol/chat.proto
if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$out/chat.js" $committed/chat.js >/dev/null || ! diff -q "$out/chat.d.ts" $committed/chat.d.ts >/dev/null; then
    echo "$committed is stale: run 'npm run gen:proto' and commit the result" >&2
    exit 1
  fi
  echo "$committed is up to date"
fi
