"""Bench-only helper: serve timed runs of a reference workload over stdin/stdout.

A reference script defines `setup(args) -> state` and `run(state) -> None`, then calls `serve(setup, run)`.
The TypeScript harness (bench/harness.ts) sends one line per round: "run" answers with the elapsed
milliseconds of one call of run(state); "quit" ends. Setup happens once, before the first line is read,
and answers "ready <json info>" so the harness can print library versions.
Run with Debian's /usr/bin/python3 (it sees python3-skimage, python3-sklearn, python3-torch).
"""
import json
import sys
import time


def serve(setup, run, info=None):
    args = sys.argv[1:]
    state = setup(args)
    sys.stdout.write("ready " + json.dumps(info or {}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit":
            break
        if cmd == "run":
            t0 = time.perf_counter()
            run(state)
            ms = (time.perf_counter() - t0) * 1000.0
            sys.stdout.write(f"{ms:.4f}\n")
            sys.stdout.flush()
