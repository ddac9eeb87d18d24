#!/usr/bin/env bash
# Runs the Windows binding under Wine against the test DLL and writes what it decoded to a JSON
# file (default: test/.cache/windows/wine-results.json). Build first (npx tsc -p .).
#
#   test/windows/run.sh [OUTPUT.json]
#
# Exit status 3: Wine cannot be set up here (see setup.sh).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
settings="$("$here/setup.sh")" || exit $?
eval "$settings"
cache="$(dirname "$PSS_DLL")"
output="${1:-$cache/wine-results.json}"

# The compiled project, beside the private node_modules that holds koffi's Windows build, so the
# Windows node resolves koffi there and never in the Linux tree.
app="$(dirname "$NODE_MODULES")"
rm -rf "$app/dist" && mkdir -p "$app/dist"
cp -r "$root/dist/src" "$root/dist/test" "$app/dist/"
echo '{ "type": "module" }' >"$app/package.json"

windows_path() { local path; path="$(realpath -m "$1")"; echo "Z:${path//\//\\}"; }
rm -f "$output"
status=0
WINEPREFIX="$WINEPREFIX" WINEDEBUG=-all \
  "$WINE" "$NODE_EXE" "$(windows_path "$app/dist/test/windows/wine-run.js")" \
  "$(windows_path "$output")" "$(windows_path "$PSS_DLL")" \
  </dev/null >"$cache/wine-stdout.log" 2>"$cache/wine-stderr.log" || status=$?
if [ ! -s "$output" ]; then
  echo "run: the Windows node wrote no results (exit $status); see $cache/wine-stderr.log:" >&2
  tail -n 20 "$cache/wine-stderr.log" >&2
  exit 1
fi
echo "$output"
