#!/usr/bin/env bash
# Runs every Tessera test: builds the solution (warnings are errors) and runs each test project
# against real SQLite files and real server processes. Installs what the tests need when it is
# missing (Debian packages, as root): curl and jq for the README quickstart test, chromium for the
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
