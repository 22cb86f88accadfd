#!/usr/bin/env bash
# make fuzz: builds every libFuzzer target under Tests/Fuzz/Targets and runs each for FUZZ_SECONDS.
#
#   Tests/Fuzz/run.sh [build|run|merge] [TARGET...]      (default: build, then run every target)
#
# Build: the library modules (CachewatchCore, CachewatchRedis, CachewatchLogs and whatever package
# dependencies they pull in) are built by SwiftPM into the scratch path .build-fuzz with
# -sanitize=fuzzer,address (C/C++ with -fsanitize=fuzzer-no-link,address; C++, i.e. TOMLKit's toml++, also with
# -fsanitize=undefined without recovery, served by the ASan runtime, so its __builtin_assume/__builtin_unreachable paths
# fail the run), in release with
# -enable-testing (so a target may `@testable import` a module). Each target is then one swiftc link:
# Targets/<name>.swift + Support/*.swift + the modules' objects (+ an archive of any dependency
# package's objects, so a SwiftPM dependency such as TOMLKit links without changes here)
# -sanitize=fuzzer,address -lhiredis -lstdc++, into .build/fuzz/<name>.
#
# Run: each target runs alone (-jobs=1 style: one process) for FUZZ_SECONDS (default 60) on
# .build/fuzz/corpus/<name> (grows, not committed) seeded from Tests/Fuzz/Corpus/<name> (committed,
# small). Crash inputs land in .build/fuzz/artifacts/<name>/. Any crash, sanitizer report, timeout
# or out-of-memory fails the run (exit 1). Executions per target and the total are printed.
#
# Merge: adds to the committed seed folder the fewest grown inputs that bring new edge coverage
# (libFuzzer -set_cover_merge=1 -use_counters=0: hit counts are not features, so the folder stays
# at tens of files per target); the seeds already there stay.
#
# Environment: FUZZ_SECONDS (default 60), FUZZ_TARGETS (space-separated subset), FUZZ_RSS_MB (2048),
# FUZZ_TIMEOUT (per input, seconds, default 10), FUZZ_MAX_LEN (default per target: 8192 for INFO and
# log chunks, 4096 for keys and RESP, 2048 for config, theme, .env and URLs), SWIFT (default swift).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROOT=$PWD
FUZZ_DIR=Tests/Fuzz
SCRATCH=${FUZZ_SCRATCH:-.build-fuzz}
OUT=.build/fuzz
SWIFT=${SWIFT:-swift}
SWIFTC=${SWIFTC:-swiftc}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-}
MODULES=(CachewatchCore CachewatchRedis CachewatchLogs)

# Longest input per target: big enough for the seeds (INFO replies are ~6 KB), small enough to stay fast.
max_len() {
    if [ -n "$FUZZ_MAX_LEN" ]; then echo "$FUZZ_MAX_LEN"; return; fi
    case $1 in info|logline) echo 8192 ;; families|resp) echo 4096 ;; *) echo 2048 ;; esac
}

all_targets() { for f in "$FUZZ_DIR"/Targets/*.swift; do basename "$f" .swift; done; }

mode=all
case "${1:-}" in build|run|merge|all) mode=$1; shift ;; esac
if [ $# -gt 0 ]; then targets=("$@"); elif [ -n "${FUZZ_TARGETS:-}" ]; then read -r -a targets <<<"$FUZZ_TARGETS"; else mapfile -t targets < <(all_targets); fi

build_modules() {
    echo "fuzz: building ${MODULES[*]} with -sanitize=fuzzer,address into $SCRATCH (release, -enable-testing)"
    for module in CachewatchRedis CachewatchLogs; do
        "$SWIFT" build -c release -j 1 --scratch-path "$SCRATCH" --target "$module" \
            -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
            -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address \
            -Xcxx -fsanitize=undefined -Xcxx -fno-sanitize=vptr,function,null -Xcxx -fno-sanitize-recover=undefined
    done
}

# Objects of the project's modules (linked whole) and an archive of every other built library
# target's objects (dependency packages: the linker takes only what is referenced).
collect_objects() {
    local bin=$SCRATCH/release
    PROJECT_OBJECTS=()
    for module in "${MODULES[@]}"; do PROJECT_OBJECTS+=("$bin/$module.build"/*.o); done
    mkdir -p "$OUT"
    rm -f "$OUT/libfuzzdeps.a"
    local deps=()
    for dir in "$bin"/*.build; do
        local name; name=$(basename "$dir" .build)
        case " ${MODULES[*]} " in *" $name "*) continue ;; esac
        case "$name" in *Tests|*-tool|cachewatch|TestSupport|*PackageTests|*PackageDiscoveredTests) continue ;; esac
        # C/C++ targets keep their objects one level down (`CTOML.build/Sources/*.cpp.o`).
        for o in "$dir"/*.o "$dir"/Sources/*.o; do
            [ -e "$o" ] || continue
            # Skip executables' objects (a `main` of their own).
            if nm -g --defined-only "$o" 2>/dev/null | grep -qE ' T main$'; then continue; fi
            deps+=("$o")
        done
    done
    DEP_ARCHIVE=()
    if [ ${#deps[@]} -gt 0 ]; then
        ar rcs "$OUT/libfuzzdeps.a" "${deps[@]}"
        DEP_ARCHIVE=("$OUT/libfuzzdeps.a")
    fi
}

build_target() {
    local name=$1
    echo "fuzz: linking $OUT/$name"
    # C and C++ modules of dependency packages (TOMLKit's CTOML): their module maps and headers.
    local cflags=() map dir
    for map in "$SCRATCH"/release/*.build/module.modulemap; do
        [ -f "$map" ] && cflags+=(-Xcc "-fmodule-map-file=$map")
    done
    for dir in "$SCRATCH"/checkouts/*/Sources/*/include; do
        [ -d "$dir" ] && cflags+=(-Xcc -I -Xcc "$dir")
    done
    "$SWIFTC" -parse-as-library -O -sanitize=fuzzer,address -module-name "Fuzz_$name" \
        -I "$SCRATCH/release/Modules" -I Sources/CHiredis "${cflags[@]}" \
        "$FUZZ_DIR/Targets/$name.swift" "$FUZZ_DIR"/Support/*.swift \
        "${PROJECT_OBJECTS[@]}" "${DEP_ARCHIVE[@]}" -lhiredis -lstdc++ \
        -o "$OUT/$name" 2>&1 | { grep -v 'Cannot export local symbol' || true; }
}

build() {
    build_modules
    collect_objects
    for t in "${targets[@]}"; do build_target "$t"; done
}

run_target() {
    local name=$1 log=$OUT/logs/$1.log
    mkdir -p "$OUT/corpus/$name" "$OUT/artifacts/$name" "$OUT/logs" "$FUZZ_DIR/Corpus/$name"
    echo "fuzz: $name for ${FUZZ_SECONDS}s"
    local status=0
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$OUT/$name" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
        -max_len="$(max_len "$name")" -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$name/" \
        "$OUT/corpus/$name" "$FUZZ_DIR/Corpus/$name" >"$log" 2>&1 || status=$?
    local execs; execs=$({ grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" || true; } | grep -o '[0-9]*$' | tail -1 || true)
    execs=${execs:-0}
    local seconds; seconds=$({ grep -o 'Done [0-9]* runs in [0-9]* second' "$log" || true; } | grep -o 'in [0-9]*' | grep -o '[0-9]*' | tail -1 || true)
    TOTAL=$((TOTAL + execs))
    if [ $status -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|libFuzzer)|SUMMARY: |runtime error: |Fatal error|fuzz invariant failed' "$log"; then
        FAILED+=("$name")
        printf 'fuzz: %-10s FAILED after %s executions (exit %s); log %s\n' "$name" "$execs" "$status" "$log"
        grep -E 'ERROR:|runtime error:|Fatal error|fuzz invariant failed|SUMMARY:|Test unit written|artifact_prefix' "$log" | head -8 | sed 's/^/    /'
    else
        printf 'fuzz: %-10s %12s executions in %ss (%s corpus files)\n' "$name" "$execs" "${seconds:-?}" \
            "$(find "$OUT/corpus/$name" -type f | wc -l)"
    fi
}

run() {
    TOTAL=0
    FAILED=()
    for t in "${targets[@]}"; do
        [ -x "$OUT/$t" ] || { echo "fuzz: $OUT/$t is not built (run: $0 build $t)"; exit 2; }
        run_target "$t"
    done
    echo "fuzz: total $TOTAL executions over ${#targets[@]} targets"
    if [ ${#FAILED[@]} -gt 0 ]; then echo "fuzz: FAILED: ${FAILED[*]}"; exit 1; fi
}

merge() {
    for t in "${targets[@]}"; do
        mkdir -p "$FUZZ_DIR/Corpus/$t" "$OUT/logs"
        local before; before=$(find "$FUZZ_DIR/Corpus/$t" -type f | wc -l)
        SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
        "$OUT/$t" -set_cover_merge=1 -use_counters=0 -max_len="$(max_len "$t")" "$FUZZ_DIR/Corpus/$t" "$OUT/corpus/$t" \
            >"$OUT/logs/$t.merge.log" 2>&1
        echo "fuzz: $t corpus $before -> $(find "$FUZZ_DIR/Corpus/$t" -type f | wc -l) files"
    done
}

case $mode in
    build) build ;;
    run) run ;;
    merge) merge ;;
    all) build; run ;;
esac
