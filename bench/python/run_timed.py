"""Runs one command and reports its wall time and peak resident memory, as one JSON line.

    python run_timed.py [--env KEY=VALUE]... -- COMMAND [ARG]...

Used for every whole-program timing in the bench (the official tensorflowjs_converter, the
keras2tfjs CLI, the TypeScript conversion runner), so both tools are measured the same way:
wall time around the process, peak RSS from the kernel's accounting of the finished child
(getrusage(RUSAGE_CHILDREN).ru_maxrss, KiB on Linux). The command's output goes to a log file
so that a failure can be quoted; the JSON says where it is.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def main(argv):
    env = dict(os.environ)
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--env":
            key, _, value = argv[i + 1].partition("=")
            env[key] = value
            i += 2
        else:
            raise SystemExit(f"run_timed.py: unexpected argument {argv[i]!r}")
    command = argv[i + 1 :]
    if not command:
        raise SystemExit("usage: run_timed.py [--env K=V]... -- COMMAND [ARG]...")
    log = tempfile.NamedTemporaryFile(prefix="bench-", suffix=".log", delete=False)
    start = time.perf_counter()
    completed = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    log.close()
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    json.dump(
        {"seconds": seconds, "peak_rss_mb": peak_kib / 1024, "returncode": completed.returncode, "log": log.name},
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
