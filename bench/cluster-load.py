#!/usr/bin/env python3
"""Splits RESP commands (from gen-keys.py) by the Redis Cluster slot of their key (the 2nd argument) into one
file per node, for `redis-cli -p PORT --pipe < FILE` (redis-cli --pipe does not follow MOVED).

Usage: gen-keys.py N | cluster-load.py OUTDIR START-END:PORT[,START-END:PORT…] …
Writes OUTDIR/PORT.resp per node.
"""
import sys


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def slot(key):
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return crc16(key) % 16384


def main():
    outdir = sys.argv[1]
    owner = [None] * 16384
    for spec in sys.argv[2:]:
        for part in spec.split(","):
            ranges, port = part.split(":")
            first, _, last = ranges.partition("-")
            for s in range(int(first), int(last or first) + 1):
                owner[s] = port
    files = {port: open(f"{outdir}/{port}.resp", "wb") for port in set(p for p in owner if p)}
    data = sys.stdin.buffer
    while True:
        header = data.readline()
        if not header:
            break
        count = int(header[1:])
        parts = []
        raw = [header]
        for _ in range(count):
            length_line = data.readline()
            payload = data.read(int(length_line[1:]) + 2)
            raw += [length_line, payload]
            parts.append(payload[:-2])
        port = owner[slot(parts[1])] if len(parts) > 1 else None
        if port is None:
            sys.exit(f"cluster-load: no node owns the slot of {parts[1]!r}")
        files[port].write(b"".join(raw))
    for f in files.values():
        f.close()


if __name__ == "__main__":
    main()
