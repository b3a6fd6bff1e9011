#!/usr/bin/env bash
# One bulk import into a copy of an existing SQLite database, with the server's CPU split into user and system time and,
# with PERF=1, a `perf` profile of the server (SQLite's symbols are in the bundled library; managed frames through
# DOTNET_PerfMapEnabled). What found where the import's CPU went after the day indexes (docs/perf.md, "Issue 17's import
# after the day indexes"). The copy gets a new account (the server's `accounts create`) and one workload; the rows are
# the import bench's (student-NNNNNNN).
#
# Usage: bench/import-profile.sh DATABASE
#   DATABASE: a Tessera SQLite file to copy, e.g. one left by a run of bench/import-export.sh or the seeder
# Knobs: ROWS (100000), PERF (empty; 1: record a profile into /tmp/import-profile.data and print its top symbols),
#        PRE_SQL (SQL run on the copy before the server starts, e.g. DROP INDEX … to weigh an index),
#        SERVER_DLL (a Tessera.Server.dll to measure instead of building the Release one), PORT (5393)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
source=$(realpath "$1")
ROWS=${ROWS:-100000}
PORT=${PORT:-5393}
base="http://127.0.0.1:$PORT"
source bench/server-dll.sh
work=$(mktemp -d)
server_pid=
perf_pid=
cleanup() { [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null; [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cp "$source" "$work/tessera.db"
[ -z "${PRE_SQL:-}" ] || sqlite3 "$work/tessera.db" "$PRE_SQL"
key=$(cd "$work" && Tessera__Database__ConnectionString="Data Source=$work/tessera.db" dotnet "$server_dll" accounts create --name profile 2>/dev/null | tail -n1 | tr -d '[:space:]')
(cd "$work" && Tessera__Database__Provider=sqlite Tessera__Database__ConnectionString="Data Source=$work/tessera.db" \
  Logging__LogLevel__Default=Warning DOTNET_PerfMapEnabled=${PERF:+1} exec dotnet "$server_dll" --urls "$base" >"$work/server.log" 2>&1) &
server_pid=$!
for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
auth=(-H "Authorization: Bearer $key")
workload=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"profile"}' "$base/v1/workloads" | sed 's/.*"id":"\([^"]*\)".*/\1/')
awk -v w="$workload" -v n="$ROWS" 'BEGIN { print "name,workloadId"; for (i = 1; i <= n; i++) printf "student-%07d,%s\n", i, w }' >"$work/rows.csv"
echo "# $(sqlite3 "$work/tessera.db" 'SELECT COUNT(*) FROM query_tokens') tokens in the copy of $source; uptime: $(uptime)"
if [ -n "${PERF:-}" ]; then
  perf record -F 499 -g -p "$server_pid" -o /tmp/import-profile.data >/dev/null 2>&1 &
  perf_pid=$!
fi
read -r user1 system1 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
seconds=$(curl -s "${auth[@]}" -H 'Content-Type: text/csv' -H "Idempotency-Key: profile-$RANDOM-$(date +%s%N)" \
  --data-binary "@$work/rows.csv" -o "$work/answer.csv" -w '%{time_total}' "$base/v1/tokens/import")
read -r user2 system2 < <(awk '{print $14, $15}' "/proc/$server_pid/stat")
lines=$(wc -l <"$work/answer.csv")
[ "$lines" = $(( ROWS + 1 )) ] || { echo "import answered $lines lines, expected $(( ROWS + 1 ))" >&2; exit 1; }
awk -v n="$ROWS" -v s="$seconds" -v u="$(( user2 - user1 ))" -v k="$(( system2 - system1 ))" -v t="$(getconf CLK_TCK)" \
  'BEGIN { printf "import: %d tokens in %.2f s = %.0f tokens/s; server CPU user %.1f s, system %.1f s = %.0f tokens per CPU-second\n", n, s, n / s, u / t, k / t, n * t / (u + k) }'
if [ -n "$perf_pid" ]; then
  kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=
  perf report -i /tmp/import-profile.data --no-children --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -30
fi
