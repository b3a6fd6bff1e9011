#!/usr/bin/env bash
# Runs every Tessera test: builds the solution (warnings are errors) and runs each test project
# against real SQLite files and real server processes. Installs what the tests need when it is
# missing (Debian packages, as root): curl and jq for the README quickstart test; PostgreSQL and
# nginx for the storage/API tests on PostgreSQL, the two-server and the gateway tests; chromium for the
# console's browser tests (screenshots land in TestResults/console-screenshots/).
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_packages=()
command -v curl >/dev/null || need_packages+=(curl)
command -v jq >/dev/null || need_packages+=(jq)
# The console's browser tests drive the system Chromium (never a downloaded browser).
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
# Issue 19: promtool checks examples/observability's alert rules; systemd-analyze checks examples/systemd's unit.
command -v promtool >/dev/null || need_packages+=(prometheus)
command -v systemd-analyze >/dev/null || need_packages+=(systemd)
# Issue 19: scripts/container-image.sh builds the SDK container image on a base served by a loopback registry.
command -v docker-registry >/dev/null || need_packages+=(docker-registry)
command -v skopeo >/dev/null || need_packages+=(skopeo)
if ((${#need_packages[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need_packages[*]}; install them (apt-get install ${need_packages[*]}) or run as root" >&2
    exit 1
  fi
  echo "test.sh: installing ${need_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

# Issue 21: the console's accessibility tests inject axe-core, installed from the npm registry at the version
# tests/Tessera.Console.Tests/package-lock.json pins (Node.js and npm come with the machine; nodejs/npm from Debian otherwise).
if [ ! -f tests/Tessera.Console.Tests/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "test.sh: npm is missing; install nodejs and npm, or run as root" >&2; exit 1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  echo "test.sh: installing axe-core (npm ci in tests/Tessera.Console.Tests)"
  npm ci --prefix tests/Tessera.Console.Tests --no-audit --no-fund --loglevel=error >/dev/null
fi

results=$(mktemp -d)
# Everything started below registers its own clean-up here; one EXIT trap runs them all.
cleanups=('rm -rf "$results"')
trap 'for c in "${cleanups[@]}"; do eval "$c" || true; done' EXIT

# --- PostgreSQL, nginx and Caddy for the provider theory, the scale-out and the gateway tests (issues 5, 13) ---
# Installs them from Debian packages when missing (as root), starts a throwaway PostgreSQL cluster on
# a free port in a temporary directory as a non-root user, and stops it on exit. The tests find it
# through TESSERA_TEST_POSTGRES; without it they skip their PostgreSQL cases (fail under CI=true).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
gateway_packages=()
[ -n "$pg_bin" ] || gateway_packages+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || gateway_packages+=(nginx-light)
# Caddy runs examples/caddy/Caddyfile in the gateway tests (issue 13).
command -v caddy >/dev/null || gateway_packages+=(caddy)
if ((${#gateway_packages[@]})) && [ "$(id -u)" -eq 0 ]; then
  echo "test.sh: installing ${gateway_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${gateway_packages[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
fi
if [ -z "${TESSERA_TEST_POSTGRES:-}" ] && [ -n "$pg_bin" ]; then
  pg_dir=$(mktemp -d)
  pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg=()
  if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); chown postgres:postgres "$pg_dir"; fi
  "${as_pg[@]}" mkdir -m 700 "$pg_dir/data" "$pg_dir/sock"
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
  # Throwaway data: no fsync. The outage test starts its own, durable, cluster.
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/data/server.log" -w start \
    -o "-p $pg_port -k $pg_dir/sock -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  cleanups+=('"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$pg_dir"')
  export TESSERA_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (throwaway, $pg_dir)"
fi
[ -z "$pg_bin" ] || export TESSERA_TEST_PG_BIN="$pg_bin"
# --- end issue 5 ---

dotnet build Tessera.slnx -c Release -nologo -clp:ErrorsOnly

status=0
# Issue 20: the browser suite (Tessera.Console.Tests: a server process and Chromium per class) runs on its own, after the
# other assemblies, so that it does not share the two cores with them; BrowserTests=false leaves it out of the first run.
dotnet test Tessera.slnx -c Release --no-build --logger "trx" --results-directory "$results" -p:BrowserTests=false "$@" || status=$?
dotnet test tests/Tessera.Console.Tests/Tessera.Console.Tests.csproj -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?

# Trust (issue #7): the figures the fuzz, crash and concurrency tests report ("figure: …" lines).
grep -ho 'figure: [^<&]*' "$results"/*.trx 2>/dev/null | sort -u || true
# --- Lattica compatibility (issue 4): the README's LATTICA_BE_URL line, then the reference SDK's calls
# replayed from Python (tests/lattica/replay.py) against a freshly started server process.
lattica_dir=$(mktemp -d)
lattica_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$lattica_dir" && exec dotnet "$OLDPWD/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
  --urls "http://127.0.0.1:$lattica_port" >server.log 2>&1) &
lattica_pid=$!
cleanups+=('kill $lattica_pid 2>/dev/null; rm -rf "$lattica_dir"')
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$lattica_port/healthz" >/dev/null && break; sleep 0.1; done
lattica_line=$(awk '/<!-- lattica -->/ {f=1; next} f && /^export LATTICA_BE_URL=/ {print; exit}' README.md)
if [ -n "$lattica_line" ] && eval "${lattica_line//http:\/\/localhost:5000/http://127.0.0.1:$lattica_port}" &&
   python3 tests/lattica/replay.py "$(grep -o 'tsl_[0-9A-Za-z]\{49\}' "$lattica_dir/server.log" | head -1)"; then
  echo "Lattica replay: passed"
else
  echo "Lattica replay: FAILED (README line: '${lattica_line:-missing}')"; cat "$lattica_dir/server.log"; status=1
fi
kill $lattica_pid 2>/dev/null || true

# One closing line over all projects, from the TRX result files.
python3 - "$results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
empty = []
files = glob.glob(sys.argv[1] + "/*.trx")
for f in files:
    root = ET.parse(f).getroot()
    c = root.find("t:ResultSummary/t:Counters", ns)
    if int(c.get("total")) == 0:
        empty.append(root.get("name"))
    passed += int(c.get("passed")); failed += int(c.get("failed")) + int(c.get("error")) + int(c.get("timeout")) + int(c.get("aborted"))
    skipped += int(c.get("notExecuted")) + int(c.get("inconclusive"))
print(f"Test projects: {len(files)}")
for name in empty:
    print(f"A test project ran no test: {name}")
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
if int(sys.argv[2]):
    print(f"A step above exited with status {sys.argv[2]} (a test run's own failure, e.g. of an assembly fixture, is in its output)")
sys.exit(1 if failed or empty or int(sys.argv[2]) or not files or passed == 0 else 0)
PY
