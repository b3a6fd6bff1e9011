#!/usr/bin/env bash
# Bulk import and CSV export rates through the real HTTP endpoints (issue 17, ADR 0017), on SQLite.
#
# Import: a real server on a fresh database; one warm-up import of WARMUP rows, then IMPORT_RUNS imports of IMPORT_ROWS
# rows (a new Idempotency-Key each, into one workload) with curl, timed from the request to the last byte of the
# streamed answer (POST /v1/tokens/import, text/csv). Prints tokens/s per run and checks the answer has every row.
# Export: for each size in EXPORT_TOKENS, a database seeded by `Tessera.Benchmarks seed` (one account, 100 workloads),
# a fresh server, one warm-up export, then EXPORT_RUNS timed exports of every token (GET /v1/tokens,
# Accept: text/csv) counted by wc -l. Prints rows/s and the server's resident memory: at start, and its peak
# (VmHWM) after the exports; flat memory means the peak does not grow with the number of rows.
#
# Usage: bench/import-export.sh
# Knobs: IMPORT_ROWS (100000), IMPORT_RUNS (3), WARMUP (10000), EXPORT_TOKENS ("100000 1000000"; empty: no export),
#        EXPORT_RUNS (3), PORT (5392), SERVER_DLL (a Tessera.Server.dll to measure instead of building the Release one:
#        an A/B of two builds)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

IMPORT_ROWS=${IMPORT_ROWS:-100000}
IMPORT_RUNS=${IMPORT_RUNS:-3}
WARMUP=${WARMUP:-10000}
EXPORT_TOKENS=${EXPORT_TOKENS-100000 1000000}
EXPORT_RUNS=${EXPORT_RUNS:-3}
PORT=${PORT:-5392}
base="http://127.0.0.1:$PORT"

source bench/server-dll.sh
[ -z "$EXPORT_TOKENS" ] || dotnet build bench/Tessera.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench_dll=$PWD/bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); uptime: $(uptime)"

start_server() { # directory connection-string [bootstrap key]
  mkdir -p "$1"
  (cd "$1" && Tessera__Database__Provider=sqlite Tessera__Database__ConnectionString=$2 \
    Tessera__Bootstrap__LicenseKey=${3:-} Logging__LogLevel__Default=Warning \
    exec dotnet "$server_dll" --urls "$base" >"$1/server.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "server did not become ready:" >&2; cat "$1/server.log" >&2; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
cpu_seconds() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$server_pid/stat"; } # the server's user + system CPU
memory() { awk -v k="$1" '$1 == k":" {printf "%.0f MB", $2 / 1024}' "/proc/$server_pid/status"; } # VmRSS or VmHWM

# --- import -------------------------------------------------------------------------------------------------------
# A bootstrap key must be well formed (prefix, body, checksum): let the server's own command make one.
key=$(cd "$work" && Tessera__Database__ConnectionString="Data Source=$work/keygen.db" dotnet "$server_dll" accounts create --name keygen 2>/dev/null | tail -n1 | tr -d '[:space:]')
start_server "$work/import" "Data Source=$work/import/tessera.db" "$key"
auth=(-H "Authorization: Bearer $key")
workload=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d '{"name":"bench"}' "$base/v1/workloads" | sed 's/.*"id":"\([^"]*\)".*/\1/')
make_file() { # rows file
  awk -v n="$1" -v w="$workload" 'BEGIN { print "name,workloadId"; for (i = 1; i <= n; i++) printf "student-%07d,%s\n", i, w }' >"$2"
}
import() { # file rows -> "seconds"
  local lines seconds
  seconds=$(curl -s "${auth[@]}" -H 'Content-Type: text/csv' -H "Idempotency-Key: bench-$RANDOM-$RANDOM-$(date +%s%N)" \
    --data-binary "@$1" -o "$work/answer.csv" -w '%{time_total}' "$base/v1/tokens/import")
  lines=$(wc -l <"$work/answer.csv")
  [ "$lines" = $(( $2 + 1 )) ] || { echo "import answered $lines lines, expected $(( $2 + 1 )):" >&2; head -c 500 "$work/answer.csv" >&2; exit 1; }
  echo "$seconds"
}
make_file "$WARMUP" "$work/warmup.csv"
make_file "$IMPORT_ROWS" "$work/rows.csv"
echo "# import: $IMPORT_ROWS rows per run ($(du -k "$work/rows.csv" | cut -f1) KiB), after a $WARMUP-row warm-up; server RSS at start $(memory VmRSS)"
timed_import() { # label file rows: wall-clock rate, and the server's own CPU time per token (what load cannot change)
  local before after seconds
  before=$(cpu_seconds)
  seconds=$(import "$2" "$3")
  after=$(cpu_seconds)
  awk -v r="$1" -v n="$3" -v s="$seconds" -v c="$(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')" \
    'BEGIN { printf "import %s: %d tokens in %.2f s = %.0f tokens/s; server CPU %.1f s = %.0f tokens per CPU-second\n", r, n, s, n / s, c, n / c }'
}
timed_import warm-up "$work/warmup.csv" "$WARMUP"
for run in $(seq 1 "$IMPORT_RUNS"); do
  timed_import "run $run" "$work/rows.csv" "$IMPORT_ROWS"
done
echo "import: server peak RSS $(memory VmHWM); load: $(cut -d' ' -f1-3 /proc/loadavg)"
stop_server

# --- export -------------------------------------------------------------------------------------------------------
for tokens in $EXPORT_TOKENS; do
  db="$work/export-$tokens/tessera.db"
  mkdir -p "$work/export-$tokens"
  start=$(date +%s)
  dotnet "$bench_dll" seed sqlite "Data Source=$db" "$tokens" "$work/seed-$tokens" >/dev/null
  echo "# export of $tokens tokens (seeded in $(( $(date +%s) - start )) s)"
  start_server "$work/export-$tokens" "Data Source=$db"
  auth=(-H "Authorization: Bearer $(cat "$work/seed-$tokens/license-key")")
  echo "server RSS at start: $(memory VmRSS)"
  for run in $(seq 0 "$EXPORT_RUNS"); do
    rows=$(curl -s "${auth[@]}" -H 'Accept: text/csv' -w '%{stderr}%{time_total}' "$base/v1/tokens" 2>"$work/seconds" | wc -l)
    seconds=$(cat "$work/seconds")
    [ "$rows" = $(( tokens + 1 )) ] || { echo "export answered $rows lines, expected $(( tokens + 1 ))" >&2; exit 1; }
    [ "$run" = 0 ] && continue # warm-up
    awk -v r="$run" -v n="$tokens" -v s="$seconds" 'BEGIN { printf "export run %d: %d rows in %.2f s = %.0f rows/s\n", r, n, s, n / s }'
  done
  echo "export of $tokens: server RSS after $(memory VmRSS), peak $(memory VmHWM); load: $(cut -d' ' -f1-3 /proc/loadavg)"
  stop_server
done
