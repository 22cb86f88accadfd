#!/usr/bin/env bash
# Builds what make dist and make install ship, into $DIST_SCRATCH/stage (default .build-dist/stage):
#   cachewatch          release build, Swift runtime linked statically, stripped
#   cachewatch.1        man page from swift-argument-parser's generate-manual tool (the one its
#                       generate-manual plugin runs), fed by this binary's --experimental-dump-help
#   completion.bash/.zsh/.fish   from this binary's --generate-completion-script
# so the man page and completions describe exactly the flags of the binary shipped with them.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SCRATCH=${DIST_SCRATCH:-.build-dist}
JOBS=${SWIFT_JOBS:+-j $SWIFT_JOBS}
STAGE="$SCRATCH/stage"

step() { printf '\n== %s\n' "$*"; }
fail() { echo "stage: $*" >&2; exit 1; }

step "release build, Swift runtime linked statically ($SCRATCH)"
# SwiftPM runs BuildCommitPlugin's prebuild command only when it plans the build, and reuses a cached
# plan otherwise; removing the plan makes --version name the commit being built.
rm -f "$SCRATCH/release/description.json"
expected_commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ "$expected_commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  expected_commit="$expected_commit-dirty"
fi
# shellcheck disable=SC2086
"$SWIFT" build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --product cachewatch $JOBS
BUILT="$SCRATCH/release/cachewatch"

rm -rf "$STAGE" && mkdir -p "$STAGE"
strip --strip-all -o "$STAGE/cachewatch" "$BUILT"
BIN="$STAGE/cachewatch"
if ldd "$BIN" | grep -q 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime\|libicu'; then
  ldd "$BIN" >&2; fail "the binary still links the Swift runtime dynamically."
fi
VERSION=$("$BIN" --version | head -1 | cut -d' ' -f2)
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "cannot read the version from --version ($VERSION)."
commit=$("$BIN" --version | sed -n 's/^commit: //p')
[ "$commit" = "$expected_commit" ] || fail "--version says commit $commit, the tree is at $expected_commit."

# `swift package plugin generate-manual --help` builds the plugin's tool and stops before the plugin would
# build the whole package a second time (in release, without the static runtime); the tool is then run
# on the binary above, as the plugin itself would run it.
step "man page (swift-argument-parser's generate-manual)"
# shellcheck disable=SC2086
"$SWIFT" package --scratch-path "$SCRATCH" $JOBS plugin generate-manual --help >"$SCRATCH/generate-manual.log" 2>&1 \
  || { cat "$SCRATCH/generate-manual.log" >&2; fail "the generate-manual plugin could not be built."; }
TOOL=$(find "$SCRATCH" -path '*/debug/generate-manual-tool' -type f -perm -u+x | head -1)
[ -n "$TOOL" ] || fail "the generate-manual plugin left no generate-manual-tool in $SCRATCH."
manual_date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
"$TOOL" "$BIN" --date "$manual_date" --output-directory "$STAGE" || fail "generate-manual failed."
[ -s "$STAGE/cachewatch.1" ] || fail "generate-manual wrote no cachewatch.1."
grep -q 'Fl -version' "$STAGE/cachewatch.1" || fail "the man page lacks --version."

step "completions"
for shell in bash zsh fish; do "$BIN" --generate-completion-script "$shell" >"$STAGE/completion.$shell"; done
grep -q 'snapshot' "$STAGE/completion.bash" || fail "the bash completion lacks the snapshot command."
echo "staged cachewatch $VERSION in $STAGE"
