"""Bench-only helper: serve timed runs of a reference workload over stdin/stdout.

A reference script defines `setup(args) -> state` and `run(state) -> None`, then calls `serve(setup, run)`
(or `serve_or_time_cpu(setup, run)`, which also answers `--cpu-times N`).
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


def serve_or_time_cpu(setup, run, info=None):
    """`serve(setup, run, info)`, unless the arguments include `--cpu-times N`: then set up with the arguments
    before it, run once to warm up, run N times and print one JSON list of per-run CPU times
    (time.process_time, ms), which other processes on a shared machine do not inflate
    (read by pythonCpuMedianMs in bench/harness.ts)."""
    if "--cpu-times" not in sys.argv:
        serve(setup, run, info)
        return
    i = sys.argv.index("--cpu-times")
    rounds = int(sys.argv[i + 1])
    state = setup(sys.argv[1:i])
    run(state)  # warm-up
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        run(state)
        times.append((time.process_time() - t0) * 1000.0)
    print(json.dumps(times))
