#!/usr/bin/env bash
# Tessera.Gateway's cost (issue 16), in one run on one machine: a stub model (`Tessera.Benchmarks bare`, GET /v1/ping)
# behind
#   (a) bare YARP            `Tessera.Benchmarks yarp`: examples/yarp-gateway without Tessera.Gateway
#   (b) examples/yarp-gateway YARP + Tessera.Gateway, its replica following a real Tessera server (SQLite, TOKENS tokens)
#   (c) nginx auth_request   examples/nginx/tessera-gateway.conf, asking that Tessera server per request
# each with one token and with 1,000 usable tokens of the guarded workload in rotation (bench/lua/rotate.lua; the
# one-token runs use bench/lua/bearer.lua, and each rotating run is compared with bare YARP driven by the same script).
# Endpoints are measured in ROUNDS interleaved rounds; the table shows medians, the requests/s range, and the ratios
# of throughput and p99 to (a), and the CPU time per request of the deciding and proxying processes (robust to the
# shared machine's drift; for (b) and (c) Tessera's CPU is included, and the last column is the proxy's alone). Targets: (b) >= 0.90x (a)'s throughput, p99 <= 1.2x (a)'s.
# Then the gateway's memory with MEMORY_TOKENS (1M) tokens in its replica, and how long it took to load them.
#
# Usage: bench/gateway.sh
# Knobs: DURATION (10s), CONNECTIONS (64), THREADS (2), TOKENS (150000), ROUNDS (3), MEMORY_TOKENS (1000000; 0 skips),
#        PORT (5400; uses PORT..PORT+5)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
TOKENS=${TOKENS:-150000}
ROUNDS=${ROUNDS:-3}
MEMORY_TOKENS=${MEMORY_TOKENS:-1000000}
PORT=${PORT:-5400}
TESSERA_PORT=$PORT MODEL_PORT=$((PORT + 1)) YARP_PORT=$((PORT + 2)) GATEWAY_PORT=$((PORT + 3)) NGINX_PORT=$((PORT + 4))
export THREADS

missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for project in src/Tessera.Server bench/Tessera.Benchmarks examples/yarp-gateway; do
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >/dev/null
done
server_dll=src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll
bench_dll=bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll
gateway_dll=examples/yarp-gateway/bin/Release/net10.0/Tessera.YarpGateway.dll

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_for() { # url what
  for _ in $(seq 1 600); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "$2 did not answer $1" >&2; exit 1
}

echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, loopback; wrk, the proxies, Tessera and the model share the cores"

start_tessera() { # connection-string port log
  Tessera__Database__Provider=sqlite Tessera__Database__ConnectionString=$1 Tessera__Abuse__QueryFailures__PermitLimit=0 \
    dotnet "$server_dll" --urls "http://127.0.0.1:$2" >"$3" 2>&1 &
  pids+=($!); tessera_pid=$!
  wait_for "http://127.0.0.1:$2/readyz" Tessera
}

gateway_key() { # tessera-port license-key: a new key holding only the gateway scope
  curl -sf -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
    -d '{"name":"bench gateway","scopes":["gateway"]}' "http://127.0.0.1:$1/v1/license-keys" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])'
}

start_gateway() { # tessera-port key workload port log
  Tessera__Url="http://127.0.0.1:$1" Tessera__GatewayKey=$2 Gateway__Upstream="http://127.0.0.1:$MODEL_PORT" Gateway__Workload=$3 \
    ASPNETCORE_URLS="http://127.0.0.1:$4" dotnet "$gateway_dll" >"$5" 2>&1 &
  pids+=($!); gateway_pid=$!
  wait_for "http://127.0.0.1:$4/readyz" "the gateway's replica"
}

# --- The setup: Tessera with TOKENS tokens, the model, the three proxies.
dotnet "$bench_dll" seed sqlite "Data Source=$work/bench.db" "$TOKENS" "$work/data" >/dev/null
start_tessera "Data Source=$work/bench.db" "$TESSERA_PORT" "$work/tessera.log"
# The workload with the most usable tokens (the seeder gives each workload tokens of one kind).
workload=$(awk '{print $2}' "$work/data/usable" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $2}')
awk -v w="$workload" '$2 == w && n < 1000 {print $1; n++}' "$work/data/usable" >"$work/guarded"
[ "$(wc -l <"$work/guarded")" = 1000 ] || { echo "fewer than 1,000 usable tokens of $workload: raise TOKENS" >&2; exit 1; }
one=$(head -1 "$work/guarded")
key=$(gateway_key "$TESSERA_PORT" "$(cat "$work/data/license-key")")

dotnet "$bench_dll" bare --urls "http://127.0.0.1:$MODEL_PORT" >/dev/null 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$MODEL_PORT/v1/ping" "the model"
Gateway__Upstream="http://127.0.0.1:$MODEL_PORT" dotnet "$bench_dll" yarp --urls "http://127.0.0.1:$YARP_PORT" >"$work/yarp.log" 2>&1 &
pids+=($!); yarp_pid=$!
wait_for "http://127.0.0.1:$YARP_PORT/v1/ping" "bare YARP"
start_gateway "$TESSERA_PORT" "$key" "$workload" "$GATEWAY_PORT" "$work/gateway.log"
replica=$(curl -sf "http://127.0.0.1:$GATEWAY_PORT/readyz")

# nginx: the shipped configuration with these addresses, as tests/Tessera.Server.Tests/GatewayTests.cs runs it.
mkdir -p "$work/nginx"
sed -e "/^upstream tessera {/,/^}/ { /server 127.0.0.1:500[01];/d; s/^upstream tessera {/upstream tessera {\n    server 127.0.0.1:$TESSERA_PORT;/ }" \
    -e "s/server 127.0.0.1:8000;/server 127.0.0.1:$MODEL_PORT;/" -e "s/listen 8080;/listen 127.0.0.1:$NGINX_PORT;/" \
    -e "s/wl_REPLACE_WITH_THE_WORKLOAD_ID/$workload/" examples/nginx/tessera-gateway.conf >"$work/nginx/tessera-gateway.conf"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/client_body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    include $work/nginx/tessera-gateway.conf;
}
NGINX
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!); nginx_master=$!
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $one" "http://127.0.0.1:$NGINX_PORT/v1/ping")
[ "$code" = 200 ] || { echo "nginx answered $code for a usable token" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
nginx_pid=$(pgrep -P "$nginx_master" | head -1) # the one worker (the master only supervises)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $one" "http://127.0.0.1:$GATEWAY_PORT/v1/ping")
[ "$code" = 200 ] || { echo "the gateway answered $code for a usable token" >&2; cat "$work/gateway.log" >&2; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -1 "$work/data/unknown" | cut -d' ' -f1)" "http://127.0.0.1:$GATEWAY_PORT/v1/ping")
[ "$code" = 401 ] || { echo "the gateway answered $code for an unknown token" >&2; exit 1; }
echo "# Tessera: $TOKENS tokens (SQLite); the gateway's replica: $replica; guarded workload $workload"

to_ms() { # wrk prints 1.23ms, 456.00us or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

clock_ticks=$(getconf CLK_TCK)
cpu_ticks() { local sum=0 pid; for pid in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$sum"; }

wrk_run() { # NAME PIDS [wrk args…] -> "NAME rps p50 p99 non2xx cpu": cpu = the user + system CPU time per request, in µs,
  # of the processes that decide and proxy (PIDS, comma-separated): what they spent, whatever the shared machine's drift
  # and of the proxy alone (the first of PIDS), so Tessera's share of (b) and (c) shows apart
  local name=$1 pids=${2//,/ } proxy=${2%%,*} out before proxy_before requests; shift 2
  # shellcheck disable=SC2086
  before=$(cpu_ticks $pids); proxy_before=$(cpu_ticks "$proxy")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # shellcheck disable=SC2086
  echo "$name $(awk '/^Requests\/sec/ {print $2}' <<<"$out") $(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")" \
    "$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")") $(awk '/Non-2xx or 3xx/ {print $5}' <<<"$out" | grep . || echo 0)" \
    "$(awk -v t="$(( $(cpu_ticks $pids) - before ))" -v hz="$clock_ticks" -v n="$requests" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')" \
    "$(awk -v t="$(( $(cpu_ticks "$proxy") - proxy_before ))" -v hz="$clock_ticks" -v n="$requests" 'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')"
}

one_run() { BEARER=$one URLPATH=/v1/ping wrk_run "$1" "$3" -s bench/lua/bearer.lua "http://127.0.0.1:$2"; }
rotating_run() { SECRETS="$work/guarded" LIMIT=1000 URLPATH=/v1/ping wrk_run "$1" "$3" -s bench/lua/rotate.lua "http://127.0.0.1:$2"; }

# Warm-up: JIT, connection pools, Tessera's memory of the 1,000 tokens (for nginx).
for port in "$YARP_PORT" "$GATEWAY_PORT" "$NGINX_PORT"; do
  SECRETS="$work/guarded" LIMIT=1000 URLPATH=/v1/ping wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s bench/lua/rotate.lua "http://127.0.0.1:$port" >/dev/null
done

# CPU counted: the proxy; for (b) also Tessera (it answers the long polls and takes the use reports); for (c) nginx and
# Tessera (which decides every request).
for round in $(seq 1 "$ROUNDS"); do
  one_run a:yarp:one "$YARP_PORT" "$yarp_pid"
  one_run b:gateway:one "$GATEWAY_PORT" "$gateway_pid,$tessera_pid"
  one_run c:nginx:one "$NGINX_PORT" "$nginx_pid,$tessera_pid"
  rotating_run a:yarp:1000 "$YARP_PORT" "$yarp_pid"
  rotating_run b:gateway:1000 "$GATEWAY_PORT" "$gateway_pid,$tessera_pid"
  rotating_run c:nginx:1000 "$NGINX_PORT" "$nginx_pid,$tessera_pid"
done | tee "$work/raw" | awk '
  function median(list,   n, a, i, j, t) { n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  { if (!($1 in rps)) order[++n] = $1
    rps[$1] = rps[$1] " " $2; p50[$1] = p50[$1] " " $3; p99[$1] = p99[$1] " " $4; err[$1] += $5; cpu[$1] = cpu[$1] " " $6; own[$1] = own[$1] " " $7
    if (!($1 in lo) || $2 < lo[$1]) lo[$1] = $2; if (!($1 in hi) || $2 > hi[$1]) hi[$1] = $2 }
  END {
    printf "%-16s %10s %14s %7s %7s %11s %11s %8s %11s %11s %11s\n", "proxy:tokens", "requests/s", "(range)", "p50 ms", "p99 ms", "rps vs (a)",
      "p99 vs (a)", "non-2xx", "cpu us/req", "cpu vs (a)", "proxy alone"
    for (i = 1; i <= n; i++) { k = order[i]; m[k] = median(rps[k]); q[k] = median(p99[k]); c[k] = median(cpu[k]) }
    for (i = 1; i <= n; i++) { k = order[i]; split(k, part, ":"); b = "a:yarp:" part[3]
      printf "%-16s %10.0f %14s %7.2f %7.2f %10.2fx %10.2fx %8d %11.1f %10.2fx %11.1f\n", k, m[k], sprintf("%.0f-%.0f", lo[k], hi[k]), median(p50[k]), q[k],
        m[k] / m[b], q[k] / q[b], err[k], c[k], c[k] / c[b], median(own[k]) } }'
echo "# working sets after the runs: bare YARP $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$yarp_pid/status)," \
  "gateway ($TOKENS tokens in its replica) $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$gateway_pid/status)"

# --- Memory: a gateway whose replica holds MEMORY_TOKENS tokens.
if [ "$MEMORY_TOKENS" != 0 ]; then
  echo
  echo "## the gateway with $MEMORY_TOKENS tokens in its replica"
  dotnet "$bench_dll" seed sqlite "Data Source=$work/memory.db" "$MEMORY_TOKENS" "$work/memory" >/dev/null
  start_tessera "Data Source=$work/memory.db" "$((PORT + 5))" "$work/tessera-memory.log"
  memory_key=$(gateway_key "$((PORT + 5))" "$(cat "$work/memory/license-key")")
  started=$(date +%s.%N)
  start_gateway "$((PORT + 5))" "$memory_key" "$(head -1 "$work/memory/usable" | cut -d' ' -f2)" "$((PORT + 6))" "$work/gateway-memory.log"
  ready=$(date +%s.%N)
  curl -s -o /dev/null "http://127.0.0.1:$((PORT + 6))/v1/ping" -H "Authorization: Bearer $(head -1 "$work/memory/usable" | cut -d' ' -f1)"
  echo "replica: $(curl -sf "http://127.0.0.1:$((PORT + 6))/readyz"); start to ready (process start, snapshot of every token): $(awk -v a="$started" -v b="$ready" 'BEGIN {printf "%.1f s", b - a}')"
  echo "gateway working set: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$gateway_pid/status) (peak $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$gateway_pid/status));" \
    "bare YARP after its runs: $(awk '/VmRSS/ {printf "%.0f MB", $2 / 1024}' /proc/$yarp_pid/status)"
fi
