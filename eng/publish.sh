#!/usr/bin/env bash
# Publishes every service host exactly as its image does (the `dotnet publish ... -c Release` line of
# deploy/docker/<name>.Dockerfile) into <out>/<name>, default .loopy/publish. The load-balancer test
# runs these outputs as processes. Usage: eng/publish.sh [out]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$ROOT/.loopy/publish}
cd "$ROOT"

for dockerfile in deploy/docker/*.Dockerfile; do
  name=$(basename "$dockerfile" .Dockerfile)
  project=$(sed -n 's/^RUN dotnet publish \([^ ]*\.csproj\) .*/\1/p' "$dockerfile")
  [ -n "$project" ] || { echo "no 'RUN dotnet publish <project>' line in $dockerfile" >&2; exit 1; }
  rm -rf "${out:?}/$name"
  dotnet publish "$project" -c Release -o "$out/$name" -nologo -clp:ErrorsOnly
done
