#!/usr/bin/env bash
# HTTP benchmarks of Tessera with wrk (issue #6). For each database: seeds 100k tokens, starts the real
# server, warms it up, then in one run measures an empty endpoint (/healthz) and GET /v1/auth (naming each
# token's workload, as a gateway must: ?workload=wl_…) with one usable token, with 1,000 usable tokens in
# rotation and with 1,000 unknown ones, and prints requests/s,
# p50, p99 and each one's ratio to the empty endpoint, next to the empty endpoint of a bare ASP.NET Core app
# (`Tessera.Benchmarks bare`: what HTTP alone costs on these cores); then token creations/s through the API. With
# LIST=1 (default) it also seeds 1M tokens on SQLite and measures a filtered, sorted list page and the
# server's memory once every one of the 1M tokens has been verified (all remembered).
#
# Usage: bench/http.sh                 SQLite only
#        TESSERA_BENCH_POSTGRES='Host=127.0.0.1;Port=5432;Username=…;Database=…' bench/http.sh
# Knobs: DURATION (10s), CONNECTIONS (64), THREADS (2), TOKENS (100000), LIST (1), LIST_TOKENS (1000000),
#        PROVIDERS (1 = both, sqlite, postgres, 0 skips the 100k runs), CREATE_CONNECTIONS (16, the creation run's), ROUNDS (5), RAW (a file that
#        collects every single run's line). The endpoints
#        are measured in ROUNDS interleaved rounds and the table shows each figure's median (and the range of
#        requests/s): on a shared two-core machine one 10 s run drifts by 10-20 %. Rotating runs are compared with
#        /healthz driven by the same Lua script, the others with plain /healthz. non-2xx of unknown tokens are
#        401s. The creation run also prints how many writes shared a commit.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
TOKENS=${TOKENS:-100000}
LIST=${LIST:-1}
LIST_TOKENS=${LIST_TOKENS:-1000000}
PORT=${PORT:-5390}
CREATE_CONNECTIONS=${CREATE_CONNECTIONS:-16}
ROUNDS=${ROUNDS:-5}
BARE_PORT=$((PORT + 1))
export THREADS

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
dotnet build src/Tessera.Server -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Tessera.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
server_dll=src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll
bench_dll=bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll

work=$(mktemp -d)
server_pid= bare_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; [ -n "$bare_pid" ] && kill "$bare_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, loopback, wrk and server share the cores"

start_server() { # provider connection-string
  # The failure limiter is off: the unknown-token run measures the negative cache, not 429s.
  Tessera__Database__Provider=$1 Tessera__Database__ConnectionString=$2 \
    Tessera__Abuse__QueryFailures__PermitLimit=0 \
    dotnet "$server_dll" --urls "http://127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "server did not become ready:" >&2; cat "$work/server.log" >&2; exit 1
}

database_commits() { # "commits writes" from /metrics
  curl -s "http://127.0.0.1:$PORT/metrics" |
    awk '/^tessera_database_commits_total/ {c = $NF} /^tessera_database_committed_writes_total/ {w = $NF} END {printf "%d %d", c, w}'
}

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system time of a process, in clock ticks

# wrk_run NAME [wrk args…]: prints "NAME rps p50 p99 non2xx cpu" (latencies in ms; cpu = the measured server's
# user + system CPU time per request in µs, from /proc: what the server itself spent, whatever the machine's drift;
# the server measured is $measure_pid, by default the Tessera server)
wrk_run() {
  local name=$1; shift
  local pid=${measure_pid:-$server_pid} before out
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps p50 p99 errors requests cpu
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v t="$(( $(cpu_ticks "$pid") - before ))" -v hz="$clock_ticks" -v n="$requests" 'BEGIN { printf "%.2f", n ? t / hz * 1e6 / n : 0 }')
  echo "$name $rps $(to_ms "$p50") $(to_ms "$p99") ${errors:-0} $cpu"
}

to_ms() { # wrk prints 1.23ms, 456.00us or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

report() { # lines "name rps p50 p99 non2xx cpu", ROUNDS of each: the median of each figure, the rps range, the ratio of
  # medians against the empty endpoint driven the same way (plain or Lua), and the same ratio of the server's CPU
  # time per request (the empty endpoint's over this one's: what requests/s would be if the server alone set the pace)
  awk '
    function median(list,   n, a, i, j, t) { n = split(list, a, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { if (!($1 in rps)) order[++n] = $1
      rps[$1] = rps[$1] " " $2; p50[$1] = p50[$1] " " $3; p99[$1] = p99[$1] " " $4; err[$1] += $5; cpu[$1] = cpu[$1] " " $6
      if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2; if (!($1 in hi) || $2 > hi[$1]) hi[$1] = $2 }
    END {
      printf "%-22s %10s %16s %7s %7s %7s %10s %11s %9s\n", "endpoint", "requests/s", "(range)", "p50 ms", "p99 ms", "ratio", "non-2xx",
        "cpu us/req", "cpu ratio"
      for (i = 1; i <= n; i++) { m[order[i]] = median(rps[order[i]]); c[order[i]] = median(cpu[order[i]]) }
      for (i = 1; i <= n; i++) { k = order[i]; b = (k ~ /1000|lua/) ? "empty:/healthz-lua" : "empty:/healthz"
        printf "%-22s %10.0f %16s %7.2f %7.2f %6.2fx %10s %11.2f %8.2fx\n", k, m[k], sprintf("%.0f-%.0f", lo[k], hi[k]), median(p50[k]),
          median(p99[k]), m[k] / m[b], err[k], c[k], c[k] ? c[b] / c[k] : 0 } }'
}

bench_provider() { # provider connection-string
  local provider=$1 connection=$2 data="$work/$1"
  echo; echo "## $provider, $TOKENS tokens"
  dotnet "$bench_dll" seed "$provider" "$connection" "$TOKENS" "$data"
  start_server "$provider" "$connection"
  local key workload one one_workload; key=$(cat "$data/license-key"); workload=$(head -1 "$data/workloads")
  read -r one one_workload <"$data/usable" # the first usable token and its workload (each line: secret workload)
  # Warm-up: JIT, connection pools, and 1,000 usable tokens remembered.
  SECRETS="$data/usable" LIMIT=1000 wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -s bench/lua/rotate.lua "http://127.0.0.1:$PORT" >/dev/null
  SECRETS="$data/unknown" LIMIT=1000 wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -s bench/lua/rotate.lua "http://127.0.0.1:$PORT" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/healthz" >/dev/null
  # ROUNDS rounds, each endpoint once per round, so a drift of the shared machine touches every endpoint alike;
  # the table shows medians over the rounds.
  for round in $(seq 1 "$ROUNDS"); do
    # An empty endpoint of a bare ASP.NET Core app (no Tessera) on the same cores: what HTTP alone costs here.
    measure_pid=$bare_pid wrk_run bare:/healthz "http://127.0.0.1:$BARE_PORT/healthz"
    wrk_run empty:/healthz "http://127.0.0.1:$PORT/healthz"
    # The same Lua request() as the rotating runs, so the load generator's own cost is in the baseline too.
    SECRETS="$data/usable" LIMIT=1000 URLPATH=/healthz wrk_run empty:/healthz-lua -s bench/lua/rotate.lua "http://127.0.0.1:$PORT"
    BEARER=$one URLPATH="/v1/auth?workload=$one_workload" wrk_run auth:one-usable -s bench/lua/bearer.lua "http://127.0.0.1:$PORT"
    SECRETS="$data/usable" LIMIT=1000 wrk_run auth:1000-usable -s bench/lua/rotate.lua "http://127.0.0.1:$PORT"
    SECRETS="$data/unknown" LIMIT=1000 wrk_run auth:1000-unknown -s bench/lua/rotate.lua "http://127.0.0.1:$PORT"
  done | tee -a "${RAW:-/dev/null}" | report
  echo
  local before; before=$(database_commits)
  LICENSE_KEY=$key WORKLOAD_ID=$workload wrk_run create:POST/v1/tokens -c"$CREATE_CONNECTIONS" -s bench/lua/create.lua "http://127.0.0.1:$PORT" |
    awk -v c="$CREATE_CONNECTIONS" '{ printf "token creations through the API (%d connections): %.0f/s, p50 %s ms, p99 %s ms, non-2xx %s\n", c, $2, $3, $4, $5 }'
  # Group commit (ADR 0009): how many writes shared one commit during the creation run.
  echo "$before $(database_commits)" | awk '{ c = $3 - $1; w = $4 - $2; printf "database commits during the creation run: %d for %d writes (%.1f writes per commit)\n", c, w, c ? w / c : 0 }'
  echo "server working set: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)"
  stop_server
}

PROVIDERS=${PROVIDERS:-1}
# The bare ASP.NET Core app: the reference in every round, and its working set beside the 1M figure.
dotnet "$bench_dll" bare --urls "http://127.0.0.1:$BARE_PORT" >/dev/null 2>&1 &
bare_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$BARE_PORT/healthz" >/dev/null && break; sleep 0.2; done
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$BARE_PORT/healthz" >/dev/null
if [ "$PROVIDERS" = 1 ] || [ "$PROVIDERS" = sqlite ]; then bench_provider sqlite "Data Source=$work/sqlite.db"; fi
if [ "$PROVIDERS" = 1 ] || [ "$PROVIDERS" = postgres ]; then
  if [ -n "${TESSERA_BENCH_POSTGRES:-}" ]; then bench_provider postgres "$TESSERA_BENCH_POSTGRES"
  elif [ "$PROVIDERS" = postgres ]; then echo "PROVIDERS=postgres needs TESSERA_BENCH_POSTGRES" >&2; exit 1; fi
fi

if [ "$LIST" = 1 ]; then
  echo; echo "## sqlite, $LIST_TOKENS tokens: list page and memory"
  data="$work/list"
  dotnet "$bench_dll" seed sqlite "Data Source=$work/list.db" "$LIST_TOKENS" "$data"
  start_server sqlite "Data Source=$work/list.db"
  idle_rss=$(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)
  key=$(cat "$data/license-key"); workload=$(sed -n 7p "$data/workloads")
  for query in "state=usable&sort=name&limit=50" "workloadId=$workload&state=usable&sort=expiresAt&limit=50" "q=user-09&sort=createdAt&limit=50"; do
    curl -sf -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$PORT/v1/tokens?$query" || { echo "list query refused: $query" >&2; exit 1; }
    BEARER=$key URLPATH="/v1/tokens?$query" wrk_run "GET:/v1/tokens?$query" -t1 -c1 -s bench/lua/bearer.lua "http://127.0.0.1:$PORT" |
      awk '{ printf "list page %s: %.0f/s, p50 %s ms, p99 %s ms (1 connection), non-2xx %s\n", $1, $2, $3, $4, $5 }'
  done
  # Remember every token: present each secret once (the threads interleave), then read the working set.
  known=0 start=0
  for _ in $(seq 1 30); do
    # Each round starts where the previous one's slowest thread was (the order of presentation is fixed), so
    # on a loaded machine, where a round covers less than the whole list, no secret is skipped for good.
    START=$start PROGRESS="$work/progress" CONNECTIONS=$CONNECTIONS SECRETS="$data/usable:$data/refused" LIMIT=0 \
      wrk -t"$THREADS" -c"$CONNECTIONS" -d20s -s bench/lua/rotate.lua "http://127.0.0.1:$PORT" >/dev/null
    start=$(cat "$work/progress")
    known=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^tessera_known_tokens/ {print $2}')
    [ "${known%.*}" -ge "$LIST_TOKENS" ] && break
  done
  curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null
  echo "tokens remembered: $known; server working set: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$server_pid/status)" \
    "(at start, before any request: $idle_rss; a bare ASP.NET Core app, after its runs: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$bare_pid/status))"
  stop_server
fi
