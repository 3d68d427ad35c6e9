#!/usr/bin/env bash
# `make demo`: build a store in eventstore/, load the sample cases, and show one case:
# its stage, history, what is due and overdue, its audit, and its path on the lifecycle.
set -euo pipefail
cd "$(dirname "$0")/.."
CPW=.venv/bin/cpw
export CPW_DB="${CPW_DB:-sqlite:///eventstore/demo.db}"
export CPW_TODAY="${CPW_TODAY:-2026-04-01}"
rm -f eventstore/demo.db eventstore/demo.db-wal eventstore/demo.db-shm

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Create the store" $CPW init
for f in eventstore/samples/*.jsonl; do
  step "Import $(basename "$f")" $CPW import "$f"
done
step "Verify every hash chain" $CPW verify
step "C1001 as it stands on $CPW_TODAY" $CPW show C1001
step "C1001 as it stood on 2025-06-01" $CPW show C1001 --as-of 2025-06-01
step "C1001 history (first 12 events)" $CPW history C1001 --at-seq 12
step "What is overdue across the caseload" $CPW due --overdue
step "Audit of C1003 (a waiver, a retraction, an IRO manager audit)" $CPW audit C1003
step "C1001's path on the lifecycle" $CPW diagram --case C1001 -o eventstore/C1001-lifecycle.mmd
if command -v dot >/dev/null 2>&1; then
  step "... and as SVG" $CPW diagram --case C1001 --format svg -o eventstore/C1001-lifecycle.svg
fi
printf '\nThe demo store is %s (today is %s). Try:\n  CPW_DB=%s CPW_TODAY=%s %s show C1002\n  %s rules --policy sefton\n' \
  "$CPW_DB" "$CPW_TODAY" "$CPW_DB" "$CPW_TODAY" "$CPW" "$CPW"
