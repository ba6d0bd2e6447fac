#!/usr/bin/env bash
# Mutation testing in parts: one Stryker run per part of the scope, each writing
# reports/mutation/parts/<part>.json; `npm run mutation:score -- reports/mutation/parts/*.json`
# scores their union. A part whose report exists is skipped, so an interrupted series resumes.
#   tools/mutation/parts.sh            every part, in order
#   tools/mutation/parts.sh lambda dns one or more parts by name
#   tools/mutation/parts.sh --again blocks-data
#                                      rerun reported parts with Stryker's incremental mode: a
#                                      mutant is tested again only if its code or the tests that
#                                      cover it changed since the report (new tests, survivors)
set -euo pipefail
cd "$(dirname "$0")/../.."

# Each part: its globs, separated by spaces (brace lists are expanded by bash here).
declare -A PARTS=(
  [lambda]="functions/lambda/**/*.ts !functions/lambda/bundles.generated.ts"
  [blocks-edge]="$(echo functions/src/blocks/{dns,network,names,iam,private-bucket,index}.ts)"
  [blocks-data]="$(echo functions/src/blocks/{storage,database}.ts)"
  [blocks-compute]="$(echo functions/src/blocks/{compute,monitoring}.ts)"
  [blocks-integration]="$(echo functions/src/blocks/{api,events,backup}.ts)"
  [core-compose]="$(echo functions/src/{compose,environment,scope,status,guards,connection,dr-links,usages,flavor}.ts)"
  [core-serve]="$(echo functions/src/{server,memo,function,render,settings,block,lambda-code}.ts)"
  [codec]="functions/src/codec.ts"
)
ORDER=(lambda blocks-edge blocks-data blocks-compute blocks-integration core-compose core-serve codec)

# Stryker's --mutate takes globs separated by commas.
commas() {
  local globs
  read -ra globs <<<"$1"
  local IFS=,
  echo "${globs[*]}"
}

again=false
if [[ ${1:-} == --again ]]; then
  again=true
  shift
fi

mkdir -p reports/mutation/parts
# Tests read the synthesized package and install files.
[[ -d dist/package ]] || npm run --silent synth >/dev/null
for part in "${@:-${ORDER[@]}}"; do
  [[ -n ${PARTS[$part]:-} ]] || { echo "no part named $part (parts: ${ORDER[*]})" >&2; exit 2; }
  report=reports/mutation/parts/$part.json
  incremental=()
  if $again; then
    [[ -f $report ]] || { echo "$part: no report to rerun from" >&2; exit 2; }
    # Stryker reads the earlier results from this file and writes the new ones back to it.
    cp "$report" "$report.incremental"
    incremental=(--incremental --incrementalFile "$report.incremental")
  elif [[ -f $report ]]; then
    echo "$part: $report exists, skipped"
    continue
  fi
  echo "$part: $(commas "${PARTS[$part]}")"
  MUTATION_REPORT=$report.partial npm run --silent test:mutation -- --mutate "$(commas "${PARTS[$part]}")" --tempDirName ".cache/stryker-$part" "${incremental[@]}"
  mv "$report.partial" "$report"
  rm -f "$report.incremental"
done
