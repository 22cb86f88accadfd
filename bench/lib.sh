# Shared by bench/run.sh, bench/memcached.sh and bench/impact.sh (sourced, not run): repeated runs, medians, verdicts.
#
# Each contender is a shell function that calls `run_once NAME OUTFILE CMD...` once. `rounds F1 F2 …` calls the
# functions RUNS times, one round at a time, reversing the order every other round (A B C, C B A, A B C, …) so
# a contender is not always the one after the page cache warmed or another process stopped. `summarize NAME`
# then sets MED, MIN, MAX (wall seconds) and RSS_MB (highest peak RSS) of NAME's runs.
# Needs TMP (a temp dir), RUNS, and die/log from the caller.

# run_once NAME OUTFILE CMD...: one timed run with stdout to OUTFILE; STATUS is its exit status (the caller decides
# what is expected). Wall time is the whole process measured by the shell; peak RSS is GNU time's %M.
run_once() {
    local name=$1 out=$2; shift 2
    local t0 t1 kb
    STATUS=0
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$TMP/time.txt" "$@" >"$out" 2>"$TMP/stderr.txt" || STATUS=$?
    t1=$EPOCHREALTIME
    # GNU time ignores Ctrl-C and exits normally after its child died of it, so bash does not run the INT
    # trap: stop here ourselves (128 + SIGINT/SIGTERM).
    if [ "$STATUS" = 130 ] || [ "$STATUS" = 143 ]; then echo "bench: interrupted" >&2; exit "$STATUS"; fi
    kb=$(tail -n 1 "$TMP/time.txt")
    [[ $kb =~ ^[0-9]+$ ]] || die "could not read peak RSS of: $* ($(cat "$TMP/time.txt"))"
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >>"$TMP/$name.walls"
    echo "$kb" >>"$TMP/$name.rss"
}

# rounds F1 F2 …: RUNS rounds of the contender functions, the order reversed every other round.
rounds() {
    local round f
    local -a order
    for ((round = 1; round <= RUNS; round++)); do
        order=("$@")
        if ((round % 2 == 0)); then
            order=()
            for f in "$@"; do order=("$f" "${order[@]}"); done
        fi
        for f in "${order[@]}"; do "$f"; done
    done
}

# median_of FILE: the median of the numbers in FILE, one a line (mean of the middle two for an even count).
median_of() {
    sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'
}

# summarize NAME: MED, MIN, MAX of NAME's wall times; RSS_MB its highest peak RSS; N the number of runs.
summarize() {
    local walls=$TMP/$1.walls
    [ -s "$walls" ] || die "no runs recorded for $1"
    MED=$(median_of "$walls")
    MIN=$(sort -g "$walls" | head -n 1)
    MAX=$(sort -g "$walls" | tail -n 1)
    N=$(wc -l <"$walls")
    RSS_MB=$(sort -n "$TMP/$1.rss" | tail -n 1 | awk '{ printf "%.1f", $1 / 1024 }')
}

# spread: "MED (MIN–MAX)" of the last summarize.
spread() { echo "$MED ($MIN–$MAX)"; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "n/a") printf "%.2f", a / b; else print "n/a" }'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "n/a" }'; }
# verdict VALUE OP TARGET: PASS or FAIL (OP is <= or >=; n/a is a FAIL).
verdict() {
    awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v == "n/a" || v == "") { print "FAIL"; exit }
        ok = (op == "<=") ? (v + 0 <= t + 0) : (v + 0 >= t + 0); print ok ? "PASS" : "FAIL" }'
}
# goal ROW...: appends a row "| what | measured | target | PASS/FAIL |" to the run's goal summary (GOALS file).
goal() {
    local what=$1 measured=$2 target=$3 result=$4
    [ -n "${GOALS:-}" ] && echo "| $what | $measured | $target | **$result** |" >>"$GOALS"
    echo "| $what | $measured | $target | **$result** |"
}
