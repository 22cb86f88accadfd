#!/usr/bin/env python3
"""Generate a large log in the FastAPI boilerplate's formats, for `make bench`.

Usage: gen-log.py OUTPUT [--megabytes N] [--format detailed|classic|structured|json|structlog|mixed]
                         [--fail-fraction F] [--span-seconds S] [--seed N]

Lines are spread evenly over the last --span-seconds (default 600, inside the default 15-minute
backfill window) ending now, timestamps in UTC (run cachewatch with --log-tz UTC for naive formats).
A fraction --fail-fraction (default 0.01) of the records are fail-open lines
("Cache backend not available: …" / "Cache unavailable while reading '…': …"); about 1 % of the
records carry a 3-line traceback. The exact number of fail-open lines written is printed on stderr
as `fail_open=<n> backend=<n> lines=<n> bytes=<n>` (backend: the "Cache backend not available:" kind);
`grep -cF 'Cache backend not available:'` counts only that first kind, which is the comparison the
benchmark makes.
"""
import argparse
import datetime as dt
import json
import random
import sys

ERRORS = [
    "Error 111 connecting to localhost:6379. Connection refused.",
    "Timeout reading from socket",
    "Backend 'redis' is not available.",
]
KEYS = ["user_{u}_widgets:page_{p}:size_10:{u}", "widget:{u}", "session:{u}"]
INFO = [
    'GET /api/v1/widgets?page={p} 200 12.3ms',
    'POST /api/v1/users/{u}/widgets 201 40.1ms',
    'Database query took {p}.2ms for user {u}',
]


def record(kind, when, level, module, message):
    if kind == "detailed":
        return f"{when.strftime('%Y-%m-%d %H:%M:%S')} [{level:>8}] {module}: {message}\n"
    if kind == "classic":
        return f"{when.strftime('%Y-%m-%d %H:%M:%S')},{when.microsecond // 1000:03d} - {module} - {level} - {message}\n"
    if kind == "structured":
        escaped = message.replace("\\", "\\\\").replace('"', '\\"')
        return (f"timestamp={when.isoformat()} level={level} module={module} "
                f"message=\"{escaped}\" request_id={random.getrandbits(32):08x}\n")
    if kind == "json":
        return json.dumps({"timestamp": when.isoformat(), "level": level, "module": module, "message": message,
                           "filename": "decorator.py", "function": "wrapper", "line_number": 91,
                           "thread_id": 140234, "process_id": 7}) + "\n"
    # structlog
    return json.dumps({"event": message, "level": level.lower(), "timestamp": when.isoformat()}) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--megabytes", type=float, default=1024)
    parser.add_argument("--format", default="detailed",
                        choices=["detailed", "classic", "structured", "json", "structlog", "mixed"])
    parser.add_argument("--fail-fraction", type=float, default=0.01)
    parser.add_argument("--span-seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    random.seed(args.seed)

    target = int(args.megabytes * 1024 * 1024)
    formats = ["detailed", "classic", "structured", "json", "structlog"]
    # Estimate the line count from a sample to spread timestamps evenly.
    sample = record(args.format if args.format != "mixed" else "json", dt.datetime.now(dt.timezone.utc), "INFO", "src.app.main", INFO[0])
    estimated_lines = max(1, target // max(1, len(sample)))
    end = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) if args.format in ("detailed", "classic") \
        else dt.datetime.now(dt.timezone.utc)
    start = end - dt.timedelta(seconds=args.span_seconds)
    step = dt.timedelta(seconds=args.span_seconds / estimated_lines)

    written = lines = fail_open = backend = 0
    when = start
    batch = []
    with open(args.output, "w", encoding="utf-8") as out:
        while written < target:
            kind = args.format if args.format != "mixed" else formats[lines % len(formats)]
            u, p = random.randint(1, 50000), random.randint(1, 20)
            roll = random.random()
            if roll < args.fail_fraction:
                fail_open += 1
                if roll < args.fail_fraction * 0.7:
                    backend += 1
                    message = "Cache backend not available: " + random.choice(ERRORS)
                else:
                    key = random.choice(KEYS).format(u=u, p=p)
                    message = f"Cache unavailable while reading '{key}': ConnectionError"
                text = record(kind, when, "WARNING", "src.infrastructure.cache.decorator", message)
            else:
                text = record(kind, min(when, end), "INFO", "src.app.api", random.choice(INFO).format(u=u, p=p))
                if roll > 0.99 and kind in ("detailed", "classic"):
                    text += ('Traceback (most recent call last):\n  File "/app/src/app/api.py", line 12, in handler\n'
                             'ValueError: bad input\n')
            batch.append(text)
            written += len(text)
            lines += 1
            when = min(when + step, end)
            if len(batch) >= 10000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    print(f"fail_open={fail_open} backend={backend} lines={lines} bytes={written}", file=sys.stderr)


if __name__ == "__main__":
    main()
