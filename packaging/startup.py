#!/usr/bin/env python3
"""Start-up of a cachewatch binary: `--version`, and the dashboard's first frame in an 80x24 pty
against a throwaway redis-server on a free loopback port. Prints min/median/max over N runs.
Usage: packaging/startup.py [BINARY] [RUNS]   (default .build-dist/stage/cachewatch, 20)"""
import os, pty, select, signal, socket, statistics, subprocess, sys, time, fcntl, termios, struct

binary = sys.argv[1] if len(sys.argv) > 1 else ".build-dist/stage/cachewatch"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20


def report(name, seconds):
    ms = sorted(s * 1000 for s in seconds)
    print(f"{name}: min {ms[0]:.1f} ms, median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms ({len(ms)} runs)")


def version_times():
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return times


def first_frame(port):
    """Seconds from spawn until the header line (ops/s) has been painted."""
    pid, fd = pty.fork()
    if pid == 0:
        env = {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color", "LANG": "C.UTF-8", "HOME": "/tmp",
               "XDG_CONFIG_HOME": "/tmp/cachewatch-startup-no-config"}
        os.execve(binary, [binary, "-h", "127.0.0.1", "-p", str(port), "--no-census"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    seen = b""
    elapsed = None
    deadline = start + 10
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if b"ops/s" in seen:
                elapsed = time.perf_counter() - start
                break
    os.write(fd, b"q")
    for _ in range(100):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:
            os.read(fd, 65536)
        except OSError:
            pass
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    os.close(fd)
    if elapsed is None:
        raise SystemExit("no first frame within 10 s")
    return elapsed


def main():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        report("--version", version_times())
        report("first frame (80x24, INFO+PING answered, no census)", [first_frame(port) for _ in range(runs)])
    finally:
        server.terminate()
        server.wait()


main()
