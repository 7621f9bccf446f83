#!/usr/bin/env python3
"""Counts the test cases schemathesis ran, from its NDJSON event stream (`--report ndjson`): prints
the total on stdout and the split by generation mode (positive/negative) and phase on stderr."""

import collections
import json
import sys


def main(path):
    by_mode = collections.Counter()
    by_phase = collections.Counter()
    with open(path, encoding="utf-8") as events:
        for line in events:
            finished = json.loads(line).get("ScenarioFinished")
            if not finished:
                continue
            for case in finished["recorder"].get("cases", {}).values():
                meta = case["value"].get("meta") or {}
                by_mode[(meta.get("generation") or {}).get("mode", "unknown")] += 1
                by_phase[(meta.get("phase") or {}).get("name", "unknown")] += 1
    print(f"cases by mode: {dict(by_mode)}; by phase: {dict(by_phase)}", file=sys.stderr)
    print(sum(by_mode.values()))


if __name__ == "__main__":
    main(sys.argv[1])
