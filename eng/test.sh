#!/usr/bin/env bash
# The one test command (README): starts the real servers (installing them when missing), builds,
# runs every test project against them, and prints one plain line `N passed, N failed, N skipped`.
# Exits non-zero when anything failed or nothing ran.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

eng/servers.sh start
eng/tools.sh install
eval "$(eng/tools.sh env)"
# Only the LOOPY_TEST_* variables: tests choose per case whether a host sees a real server.
eval "$(eng/servers.sh env --test)"

results=$ROOT/.loopy/test-results
rm -rf "$results"
mkdir -p "$results"

dotnet build Loopy.sln -nologo -clp:ErrorsOnly
# The hosts published as their images publish them: the load-balancer test runs these outputs.
eng/publish.sh "$ROOT/.loopy/publish"
export LOOPY_TEST_PUBLISHED=$ROOT/.loopy/publish
# The test assemblies run one after another (some tests stop and restart a real server, which must
# not happen under another assembly's feet), each writing its own TRX file.
status=0
for project in $(dotnet sln Loopy.sln list | grep -E '\.Tests\.csproj$' | sort); do
  name=$(basename "$project" .csproj)
  dotnet test "$project" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" || status=$?
  [ -f "$results/$name.trx" ] || { echo "no test results from $name" >&2; status=1; }
done

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  attr() { local v; v=$(printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted)))
  skipped=$((skipped + $(attr notExecuted)))
done

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
