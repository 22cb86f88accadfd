#!/usr/bin/env bash
# Steady-state cost of an open cachewatch (issue 9 §1): `cachewatch watch --json --interval 1s` against a private
# redis-server holding STEADY_KEYS keys (default 100,000; DEBUG POPULATE plus 30 k `widget:N` keys with TTLs); once
# the first census pass is complete, INFO commandstats is read twice STEADY_SECONDS apart (default 300) and the
# delta of the commands cachewatch sends (calls and usec; our own two `INFO commandstats` subtracted) gives
# commands/s and the share of one core Redis spent on them. Goals: <= 200 commands/s and <= 0.5 % of a core.
# Usage: bench/steady-state.sh [PORT]   Environment: STEADY_KEYS, STEADY_SECONDS, STEADY_REFRESH, CACHEWATCH_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CACHEWATCH_BIN:-.build/release/cachewatch}
KEYS=${STEADY_KEYS:-100000}
SECONDS_WINDOW=${STEADY_SECONDS:-300}
REFRESH=${STEADY_REFRESH:-5m}
[ -x "$BIN" ] || { echo "steady-state: $BIN does not exist (swift build -c release)." >&2; exit 1; }
[[ $KEYS =~ ^[0-9]+$ && $KEYS -ge 30000 ]] || { echo "steady-state: STEADY_KEYS must be an integer >= 30000." >&2; exit 1; }
[[ $SECONDS_WINDOW =~ ^[0-9]+$ && $SECONDS_WINDOW -ge 10 ]] || { echo "steady-state: STEADY_SECONDS must be >= 10." >&2; exit 1; }
PORT=${1:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
DIR=$(mktemp -d)
WATCH_PID=""
cleanup() {
    [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null || true
    [ -f "$DIR/redis.pid" ] && kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command yes \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$PORT" DEBUG POPULATE $((KEYS - 30000)) user: 20 >/dev/null
python3 -c "
for i in range(30000): print(f'SET widget:{i} v EX {600 + i % 3000}')" | redis-cli -p "$PORT" --pipe >/dev/null

"$BIN" watch --json --interval 1s --refresh "$REFRESH" --port "$PORT" >"$DIR/watch.jsonl" 2>"$DIR/watch.err" &
WATCH_PID=$!
for _ in $(seq 600); do
    grep -q '"complete":true' "$DIR/watch.jsonl" 2>/dev/null && break
    sleep 1
done
grep -q '"complete":true' "$DIR/watch.jsonl" || { echo "steady-state: the first pass did not complete in 10 minutes." >&2; exit 1; }

stats() { redis-cli -p "$PORT" INFO commandstats | tr -d '\r'; }
BEFORE=$(stats)
START=$(date +%s.%N)
sleep "$SECONDS_WINDOW"
AFTER=$(stats)
END=$(date +%s.%N)

python3 - "$START" "$END" "$KEYS" <<PY
import os, re, sys
def parse(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r'cmdstat_([^:]+):calls=(\d+),usec=(\d+)', line)
        if m: out[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    return out
before, after = parse("""$BEFORE"""), parse("""$AFTER""")
wall = float(sys.argv[2]) - float(sys.argv[1])
rows, calls, usec = [], 0, 0
for name in sorted(after):
    c = after[name][0] - before.get(name, (0, 0))[0]
    u = after[name][1] - before.get(name, (0, 0))[1]
    if name == "info": c -= 1   # our own second INFO commandstats (the first is in BEFORE)
    if c > 0:
        rows.append((name, c, u)); calls += c; usec += u
print(f"### Steady state (issue 9 §1): \`cachewatch watch\` on {sys.argv[3]} keys, {wall:.0f} s after the first complete pass")
print()
print("| command | calls | calls/s | usec |")
print("|---|---:|---:|---:|")
for name, c, u in rows: print(f"| {name} | {c} | {c / wall:.2f} | {u} |")
rate, core = calls / wall, usec / (wall * 1e6) * 100
print(f"| **total** | {calls} | **{rate:.1f}** | {usec} ({core:.3f} % of one core) |")
print()
goals = [("steady state: commands/s after the first pass", f"{rate:.1f}", "≤ 200", rate <= 200),
         ("steady state: share of one Redis core after the first pass", f"{core:.3f} %", "≤ 0.5 %", core <= 0.5)]
print("| Goal (issue 9 §1) | Measured | Target | Result |")
print("|---|---:|---:|---|")
out = open(os.environ["GOALS"], "a") if os.environ.get("GOALS") else None
for what, measured, target, ok in goals:
    row = f"| {what} | {measured} | {target} | **{'PASS' if ok else 'FAIL'}** |"
    print(row)
    if out: print(row, file=out)
PY
