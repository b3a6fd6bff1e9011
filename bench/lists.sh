#!/usr/bin/env bash
# Every list at a million tokens (issue 23). For each database: seeds TOKENS tokens with the project's seeder
# (`Tessera.Benchmarks seed`: one account, 100 workloads, a tenth cancelled, a twentieth unassigned, a twentieth
# expired) and AUDIT audit entries (`seed-audit`), applies the migrations, refreshes the planner's statistics, then
# runs every token list combination (workloadId × status × state × q × createdFrom/createdTo/expiresBefore × the four
# sorts, the first page and the page after its cursor) and every GET /v1/audit filter combination through the stores,
# and prints per combination the p50 and p99 of RUNS calls with the indexes in the database's plan
# (`Tessera.Benchmarks lists`). The last line per database counts the combinations over 10 ms p50 / 50 ms p99.
#
# Usage: bench/lists.sh                                                 SQLite only
#        TESSERA_BENCH_POSTGRES='Host=127.0.0.1;Port=5432;Username=…;Database=lists_bench' bench/lists.sh
#          (the database must exist and be empty, or be one this script seeded before with KEEP=1)
# Knobs: TOKENS (1000000), ACCOUNTS (1: more seeds that many accounts of TOKENS each, and the newest is listed), AUDIT (10000000; 0 skips the audit list), RUNS (10), PROVIDERS ("sqlite postgres"),
#        SQLITE_DB (/tmp/tessera-lists.db), KEEP (0: the SQLite file is deleted at the end; 1 keeps it and a later run
#        reuses it without seeding), LISTS_EACH_BOUND (0: createdFrom and createdTo are tried together; 1: also alone),
#        OUT (a file that collects the tables), LISTS_ONLY (only the combinations whose label contains it), LISTS_NAMES (the q values, comma-separated),
#        LISTS_SQL (a label: its two pages' SQL, values written in, to stderr for EXPLAIN).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

TOKENS=${TOKENS:-1000000}
ACCOUNTS=${ACCOUNTS:-1}
AUDIT=${AUDIT:-10000000}
RUNS=${RUNS:-10}
PROVIDERS=${PROVIDERS:-sqlite postgres}
SQLITE_DB=${SQLITE_DB:-/tmp/tessera-lists.db}
KEEP=${KEEP:-0}
OUT=${OUT:-/dev/null}
export LISTS_EACH_BOUND=${LISTS_EACH_BOUND:-0}

dotnet build bench/Tessera.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=(dotnet bench/Tessera.Benchmarks/bin/Release/net10.0/Tessera.Benchmarks.dll)
seeded=$(mktemp -d)
trap 'rm -rf "$seeded"; [ "$KEEP" = 1 ] || rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"' EXIT

for provider in $PROVIDERS; do
  case $provider in
    sqlite) connection="Data Source=$SQLITE_DB"; [ -f "$SQLITE_DB" ] && fresh=0 || fresh=1 ;;
    postgres)
      if [ -z "${TESSERA_BENCH_POSTGRES:-}" ]; then echo "lists.sh: postgres skipped (TESSERA_BENCH_POSTGRES not set)" >&2; continue; fi
      connection=$TESSERA_BENCH_POSTGRES; fresh=${SEED_POSTGRES:-1} ;;
    *) echo "lists.sh: unknown provider $provider" >&2; exit 2 ;;
  esac
  if [ "$fresh" = 1 ]; then
    start=$(date +%s)
    "${bench[@]}" seed "$provider" "$connection" "$TOKENS" "$seeded/$provider" "$ACCOUNTS"
    [ "$AUDIT" = 0 ] || "${bench[@]}" seed-audit "$provider" "$connection" "$AUDIT" | tail -n1
    echo "# $provider: seeded in $(( $(date +%s) - start )) s"
  fi
  lists=tokens; [ "$AUDIT" = 0 ] || lists=tokens,audit
  "${bench[@]}" lists "$provider" "$connection" "$RUNS" "$lists" | tee -a "$OUT"
done
