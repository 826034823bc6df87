#!/usr/bin/env bash
# Writes the `--json` outputs of `rollout-lab simulate`, `sweep` and `tune` on the shipped
# scenarios into the directory given as $1, so that a refactoring can be checked to leave
# seeded results byte-identical (issue 13, "Checks"):
#
#   bash scripts/seededOutputs.sh /tmp/seeded-after && diff -r -x build.log /tmp/seeded-before /tmp/seeded-after
#
# (build.log holds the compiler's messages: in a shared tree it lists other people's work in progress.)
#
# Run it from the root of the tree to measure (a git worktree of the base commit for the
# "before" side). The CLI is compiled with the project's tsconfig.cli.json (what
# `npm run build:cli` does) but into a private directory, so that another build of dist/
# in the same checkout cannot change the code under measurement halfway through.
# Replicate counts are kept small, and every command runs on one worker, so the whole
# script takes a couple of minutes on one core; results do not depend on the worker
# count (DESIGN.md §4), so one worker loses nothing.
set -euo pipefail

out="${1:?usage: scripts/seededOutputs.sh OUTPUT_DIRECTORY}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

build="$(mktemp -d /tmp/seeded-build.XXXXXX)"
trap 'rm -rf "$build"' EXIT
# tsc still emits when someone else's file in a shared tree has a type error; the outputs
# below then show whether anything that matters changed.
npx tsc -p tsconfig.cli.json --outDir "$build" > "$out/build.log" 2>&1 || true
ln -s "$(pwd)/node_modules" "$build/node_modules"
test -f "$build/src/cli/main.js" || { echo "seededOutputs: the CLI did not build; see $out/build.log" >&2; exit 2; }
cat > "$build/run.mjs" <<'EOF'
const { main } = await import(new URL('./src/cli/main.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
EOF

# run NAME ARGS… : writes the command's standard output to NAME.json and its exit code to NAME.rc.
run() {
  local name="$1"
  shift
  local rc=0
  node "$build/run.mjs" "$@" --json > "$out/$name.json" 2> "$out/$name.stderr" || rc=$?
  echo "$rc" > "$out/$name.rc"
  echo "$name: exit $rc" >&2
}

library=(ab-test-tiny-samples degradation-during-ab-test ignoring-latency-regression shadow-agreement-70 daily-cycle-historical-baseline)

for scenario in scenarios/error-regression scenarios/identical-candidate; do
  base="$(basename "$scenario")"
  run "simulate-$base" simulate "$scenario.json" --replicates 40 --seed 7 --workers 1
  run "simulate-$base-request" simulate "$scenario.json" --replicates 4 --seed 11 --mode request --workers 1
  run "simulate-$base-policy" simulate "$scenario.json" --policy scenarios/default-policy.json --replicates 30 --seed 3 --workers 1
done
for name in "${library[@]}"; do
  run "simulate-library-$name" simulate "scenarios/library/$name.json" --replicates 30 --seed 5 --workers 1
done

run sweep-errorRatio sweep scenarios/error-regression.json scenarios/identical-candidate.json \
  --param errorRatio=1.5,2,3 --replicates 20 --seed 9 --workers 1
run sweep-two-params sweep scenarios/error-regression.json \
  --param failureLimit=1,2 --param minRequests=50,200 --replicates 15 --seed 13 --workers 1
run sweep-durations sweep scenarios/identical-candidate.json \
  --param checkInterval=5m,10m --param alpha=0.01,0.05 --replicates 15 --seed 17 --workers 1
run sweep-latency sweep "scenarios/library/ignoring-latency-regression.json" \
  --param p95Ratio=1.2,1.5 --param canaryDuration=30m,1h --replicates 15 --seed 19 --workers 1

run tune-default tune --healthy scenarios/identical-candidate.json --regressed scenarios/error-regression.json \
  --max-false-rollback 0.1 --min-detection 0.8 --within 2h --replicates 12 --confirm-replicates 20 \
  --max-evaluations 12 --seed 21 --workers 1
run tune-exposure tune --healthy scenarios/identical-candidate.json --regressed scenarios/error-regression.json \
  --policy scenarios/default-policy.json --max-false-rollback 0.05 --min-detection 0.7 --within 3h \
  --replicates 10 --confirm-replicates 16 --max-evaluations 10 --prefer exposure --no-statistical --seed 23 --workers 1
run tune-met tune --healthy scenarios/identical-candidate.json --regressed scenarios/error-regression.json \
  --max-false-rollback 0.3 --min-detection 0.5 --within 6h --replicates 10 --confirm-replicates 12 \
  --max-evaluations 8 --seed 29 --workers 1
