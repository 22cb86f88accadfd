#!/usr/bin/env bash
# Builds what make dist and make install ship, into $DIST_SCRATCH/stage (default .build-dist/stage):
# cachewatch (release, Swift runtime linked statically, stripped), cachewatch.1 (the generate-manual
# plugin of swift-argument-parser), completion.bash/.zsh/.fish (--generate-completion-script).
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SCRATCH=${DIST_SCRATCH:-.build-dist}
JOBS=${SWIFT_JOBS:+-j $SWIFT_JOBS}
STAGE="$SCRATCH/stage"

step() { printf '\n== %s\n' "$*"; }

# The man page first: the plugin builds the package in release mode (shared Swift runtime) in the same
# scratch folder and runs generate-manual on the binary's --experimental-dump-help. The static build
# below then only relinks.
step "man page (swift-argument-parser generate-manual plugin)"
manual_date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
# shellcheck disable=SC2086
"$SWIFT" package --scratch-path "$SCRATCH" $JOBS plugin generate-manual --configuration release --date "$manual_date" >"$SCRATCH/generate-manual.log" 2>&1 \
  || { cat "$SCRATCH/generate-manual.log" >&2; echo "stage: the generate-manual plugin failed" >&2; exit 1; }
MANUAL="$SCRATCH/plugins/GenerateManual/outputs/cachewatch/cachewatch.1"
[ -s "$MANUAL" ] || { echo "stage: the plugin wrote no $MANUAL" >&2; exit 1; }

step "release build, Swift runtime linked statically"
# shellcheck disable=SC2086
"$SWIFT" build -c release --static-swift-stdlib --scratch-path "$SCRATCH" $JOBS
BUILT="$SCRATCH/release/cachewatch"

rm -rf "$STAGE" && mkdir -p "$STAGE"
strip --strip-all -o "$STAGE/cachewatch" "$BUILT"
BIN="$STAGE/cachewatch"
if ldd "$BIN" | grep -q 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime\|libicu'; then
  ldd "$BIN" >&2; echo "stage: the binary still links the Swift runtime dynamically" >&2; exit 1
fi
VERSION=$("$BIN" --version | head -1 | cut -d' ' -f2)
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "stage: cannot read the version from --version ($VERSION)" >&2; exit 1; }

step "completions"
for shell in bash zsh fish; do "$BIN" --generate-completion-script "$shell" >"$STAGE/completion.$shell"; done
cp "$MANUAL" "$STAGE/cachewatch.1"
grep -q -- '--version' "$STAGE/cachewatch.1" || { echo "stage: the man page lacks --version" >&2; exit 1; }

