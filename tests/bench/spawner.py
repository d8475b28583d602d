"""Starts the commands that bench/run.py measures, from a process that stays small.

Linux keeps a process's peak memory across exec: a command started from a large process (the
benchmark, once it has copied 100,000 articles) would report that process's size as its own
peak. This process is started first, while the benchmark is small, and starts every measured
command: one JSON request per line on stdin ({"argv", "cwd"}), one JSON answer per line on
stdout ({"seconds", "maxrss", "returncode", "stdout", "stderr"})."""

import json
import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            process = subprocess.Popen(request["argv"], cwd=request["cwd"], stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=err)
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
            err.seek(0)
            out.seek(0)
            answer = {"seconds": seconds, "maxrss": usage.ru_maxrss, "returncode": os.waitstatus_to_exitcode(status),
                      "stdout": out.read().decode("utf-8", "replace"), "stderr": err.read().decode("utf-8", "replace")}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
