"""Start to ready: starts the service and polls its /readyz every millisecond until it answers 200;
prints the milliseconds from the process start, then stops it (SIGTERM). The environment carries the
service's settings (APP_*), as bench.sh's start_service passes them.

Usage: python3 scripts/bench/ready.py BINARY ADMIN_PORT [RUNS]   (prints the median of RUNS, default 5)
"""

from __future__ import annotations

import http.client
import statistics
import subprocess
import sys
import time

TIMEOUT_S = 30


def ready_once(binary: str, admin_port: int) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([binary, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < TIMEOUT_S:
            if proc.poll() is not None:
                raise SystemExit(f"{binary} exited with {proc.returncode} before it was ready")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", admin_port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return (time.perf_counter() - started) * 1000
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.001)
        raise SystemExit(f"{binary} not ready after {TIMEOUT_S} s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=25)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    runs = int(sys.argv[3]) if len(sys.argv) == 4 else 5
    times = [ready_once(sys.argv[1], int(sys.argv[2])) for _ in range(runs)]
    print(f"{statistics.median(times):.1f}")
    print("runs (ms): " + ", ".join(f"{t:.1f}" for t in times), file=sys.stderr)


if __name__ == "__main__":
    main()
