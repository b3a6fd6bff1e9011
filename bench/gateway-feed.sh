#!/usr/bin/env bash
# The gateway feed at scale (issue 16): seeds TOKENS tokens (default 1M) with the project's seeder, starts the real
# server (Release), then streams GET /v1/gateway/snapshot to /dev/null RUNS times and prints, per run, the time, lines/s
# and the server's resident memory before and at its peak (VmHWM, reset before each run), beside a list page of 200
# tokens (GET /v1/tokens) as the baseline of what one ordinary answer costs. "Bounded memory" means the peak does not
# grow with the number of tokens: compare TOKENS=100000 with TOKENS=1000000.
#
# Usage: bench/gateway-feed.sh                  SQLite
#        PROVIDER=postgres TESSERA_BENCH_POSTGRES='Host=…;Database=…' bench/gateway-feed.sh
# Knobs: TOKENS (1000000), RUNS (3), PORT (5394), PROVIDER (sqlite | postgres)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
TOKENS=${TOKENS:-1000000}
RUNS=${RUNS:-3}
PORT=${PORT:-5394}
PROVIDER=${PROVIDER:-sqlite}
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build src/Tessera.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Tessera.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
case $PROVIDER in
  sqlite) connection="Data Source=$work/feed.db" ;;
  postgres) connection=${TESSERA_BENCH_POSTGRES:?set TESSERA_BENCH_POSTGRES to an empty database} ;;
  *) echo "unknown PROVIDER $PROVIDER" >&2; exit 2 ;;
esac
echo "# machine: $(nproc) cores, $(uname -r); $PROVIDER, $TOKENS tokens; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
dotnet bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll seed "$PROVIDER" "$connection" "$TOKENS" "$work/seeded" >/dev/null
echo "# seeded in $(( $(date +%s) - start )) s"
key=$(cat "$work/seeded/license-key")

Tessera__Database__Provider=$PROVIDER Tessera__Database__ConnectionString=$connection \
  dotnet src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll --urls "http://127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$server_pid/status"; }
hwm() { awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$server_pid/status"; }
reset_hwm() { echo 5 > "/proc/$server_pid/clear_refs"; }

for _ in 1 2 3; do curl -sf -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT/v1/tokens?limit=200"; done
list_ms=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT/v1/tokens?limit=200" | awk '{printf "%.1f", $1 * 1000}')
printf 'run\tlines\tseconds\tlines/s\tbytes\tRSS before MB\tpeak RSS MB\tlist page ms (baseline)\tsnapshot / list page\n'
for run in $(seq 1 "$RUNS"); do
  before=$(rss); reset_hwm
  read -r seconds bytes < <(curl -sf -o "$work/snapshot" -w '%{time_total} %{size_download}\n' -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT/v1/gateway/snapshot")
  lines=$(($(wc -l < "$work/snapshot") - 1))
  tail -n1 "$work/snapshot" | grep -q '"position"' || { echo "the snapshot did not end with its position" >&2; exit 1; }
  [ "$lines" = "$TOKENS" ] || { echo "expected $TOKENS lines, got $lines" >&2; exit 1; }
  awk -v r="$run" -v l="$lines" -v s="$seconds" -v b="$bytes" -v rb="$before" -v p="$(hwm)" -v lm="$list_ms" \
    'BEGIN {printf "%d\t%d\t%.2f\t%.0f\t%d\t%d\t%d\t%s\t%.0fx\n", r, l, s, l / s, b, rb, p, lm, s * 1000 / lm}'
done
