"""The smoke test fails on an image that is not the service's, says why, and removes the network and the
PostgreSQL container it had started by then."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SMOKE = Path(__file__).resolve().parents[2] / "scripts/images/smoke.py"
# Present wherever the image tests run (.ci/setup.d/10-images.sh builds it): runs as postgres, has a shell.
WRONG_IMAGE = "comments-platform/postgres-test:17"


def test_smoke_rejects_an_image_that_is_not_the_service() -> None:
    done = subprocess.run(
        [sys.executable, str(SMOKE), "--image", WRONG_IMAGE, "--revision", "abc"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "FAIL image user 'postgres', not 65532" in done.stderr
    assert "ok  PostgreSQL ready" in done.stdout
    assert "image-smoke: 1 passed, 1 failed" in done.stdout
    run_id = re.search(r"\(run (cmt-smoke-[\w-]+)\)", done.stdout).group(1)
    label = f"label=comments-platform.smoke={run_id}"
    for listing in (["ps", "-aq"], ["network", "ls", "-q"]):
        left = subprocess.run(["docker", *listing, "--filter", label], capture_output=True, text=True).stdout
        assert left.split() == [], f"smoke left {listing[0]} objects behind: {left}"
