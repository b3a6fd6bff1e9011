#!/usr/bin/env bash
# Runs every Tessera test: builds the solution (warnings are errors) and runs each test project
# against real SQLite files and real server processes. Installs what the tests need when it is
# missing (Debian packages, as root): curl and jq for the README quickstart test.
# Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

need_packages=()
command -v curl >/dev/null || need_packages+=(curl)
command -v jq >/dev/null || need_packages+=(jq)
if ((${#need_packages[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing ${need_packages[*]}; install them (apt-get install ${need_packages[*]}) or run as root" >&2
    exit 1
  fi
  echo "test.sh: installing ${need_packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

dotnet build Tessera.slnx -c Release -nologo -clp:ErrorsOnly

status=0
dotnet test Tessera.slnx -c Release --no-build --logger "trx" --results-directory "$results" "$@" || status=$?

# --- Lattica compatibility (issue 4): the README's LATTICA_BE_URL line, then the reference SDK's calls
# replayed from Python (tests/lattica/replay.py) against a freshly started server process.
lattica_dir=$(mktemp -d)
lattica_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$lattica_dir" && exec dotnet "$OLDPWD/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
  --urls "http://127.0.0.1:$lattica_port" >server.log 2>&1) &
lattica_pid=$!
trap 'kill $lattica_pid 2>/dev/null || true; rm -rf "$results" "$lattica_dir"' EXIT
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
sys.exit(1 if failed or empty or int(sys.argv[2]) or not files or passed == 0 else 0)
PY
