#!/usr/bin/env bash
# Bounded load on the app, loopback only: starts it (Release build, a fresh data folder, the rate
# limit raised so that only admission control refuses), runs `grounding load` against it (50 clients,
# 2 minutes, 600 distinct images by default; arguments are passed on), reads the app's memory from
# /proc, then stops it. Everything listens on 127.0.0.1 and ends by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5077}"
DATA="$(mktemp -d)"
dotnet build GroundingWeb.sln -c Release -v q -nologo >/dev/null
ASPNETCORE_ENVIRONMENT=Development \
Data__Folder="$DATA" \
Inference__BundlePath="$PWD/models/demo" \
RateLimit__GroundRequestsPerMinute=100000 \
    dotnet GroundingWeb/bin/Release/net10.0/GroundingWeb.dll --urls "http://127.0.0.1:$PORT" >"$DATA/app.log" 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null 2>&1 && break
    kill -0 $APP 2>/dev/null || { cat "$DATA/app.log" >&2; exit 1; }
    sleep 1
done
dotnet GroundingWeb.Cli/bin/Release/net10.0/grounding.dll load --url "http://127.0.0.1:$PORT" --server-pid "$APP" "$@"
