#!/usr/bin/env bash
# Webhook benchmarks (issue 14): in one run against a real server process on a fresh SQLite file, token creations/s
# through the API with the account's one endpoint subscribed to everything against none (interleaved rounds; the
# endpoint disabled means no event is written), and events delivered/s to a local receiver (Kestrel on loopback in the
# bench process, answering 200 at once) while a backlog lasts. Prints the machine load before and after.
#
# Usage: bench/webhooks.sh [per round (2000)] [rounds (5)] [clients (16)]
# WEBHOOK_BENCH_POSTGRES=<admin connection string> runs the server on a fresh PostgreSQL database instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
dotnet build -c Release -v q -nologo src/Tessera.Server >/dev/null
dotnet build -c Release -v q -nologo bench/Tessera.Benchmarks >/dev/null
echo "before: $(uptime)"
dotnet bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll webhooks \
  "$PWD/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" "${1:-2000}" "${2:-5}" "${3:-16}"
echo "after: $(uptime)"
