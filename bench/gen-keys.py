#!/usr/bin/env python3
"""Writes RESP `SET … EX …` commands for N keys in the guide's key shapes (for `redis-cli --pipe`).

Usage: gen-keys.py N [SEED] | redis-cli -p PORT --pipe

BENCH_TTL_SCALE (default 30) multiplies every TTL, so that no key expires while a 5-round bench runs (the shortest
shape, 240 s, becomes 2 h): the census checks compare exact key counts against DBSIZE taken after loading. The
shapes' proportions, and so the families, stay the same.
"""
import os
import random
import sys
import uuid


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    shapes = [
        (0.30, lambda i: f"widget:{i}", lambda: 900 + rnd.randint(-120, 120)),
        # 200,000 users x 5 pages: every index below 1,000,000 names a distinct key.
        (0.15, lambda i: f"user_{i % 200000}_widgets:page_{i // 200000 % 5 + 1}:size_10:{i % 200000}", lambda: 240),
        (0.10, lambda i: f"session:{uuid.UUID(int=rnd.getrandbits(128))}", lambda: 86400),
        (0.10, lambda i: f"widget_search:{rnd.getrandbits(128):032x}", lambda: 600),
        (0.10, lambda i: f"user_score:{i}", lambda: 1800 + rnd.randint(-60, 60)),
        (0.10, lambda i: f"analytics_{i}_30d:summary", lambda: 3600),
        (0.05, lambda i: f"cart:{i}:items", lambda: None),
        (0.10, lambda i: f"product:{i}:price", lambda: 1500),
    ]
    weights = [s[0] for s in shapes]
    scale = max(1, int(os.environ.get("BENCH_TTL_SCALE", "30")))
    out = sys.stdout.buffer
    batch = []
    for i in range(n):
        _, key, ttl = rnd.choices(shapes, weights)[0]
        t = ttl()
        t = t * scale if t else t
        batch.append(resp("SET", key(i), "v", "EX", t) if t else resp("SET", key(i), "v"))
        if len(batch) >= 10000:
            out.write(b"".join(batch))
            batch.clear()
    out.write(b"".join(batch))


if __name__ == "__main__":
    main()
