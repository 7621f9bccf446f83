"""Where a process's CPU goes per request, from a `perf record --call-graph dwarf` of it.

Each sample is charged to one group: walking its stack from the leaf up, the first frame that
belongs to a known group decides (kernel time by its system call, allocation by malloc/free, memcpy
and the standard library's generic code by the caller that used them). The table gives, per group,
the share of samples and the CPU microseconds per request (samples / Hz / requests). A second table
gives inclusive shares of a few markers (samples with the marker anywhere on the stack; inner
frames only: perf copies 8 KiB of stack per sample, so the outer frames of deep async stacks can be
cut off), and the report ends with perf's own top symbols, self and inclusive.

Usage: python3 scripts/bench/profile_groups.py PERF_DATA --hz HZ --requests N [--title TEXT]
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections import Counter
from pathlib import Path

# Checked in order against each frame's symbol: the first pattern that matches names the group.
GROUPS: list[tuple[str, re.Pattern[str]]] = [
    (
        "allocation (malloc, free, realloc)",
        re.compile(
            r"^(__libc_)?(malloc|free|cfree|realloc|calloc)$|^_int_(malloc|free|realloc)|^__rust_(alloc|dealloc|realloc)|^malloc_consolidate|^tcache|^unlink_chunk"
        ),
    ),
    ("JSON Value tree (poem-openapi ToJSON)", re.compile(r"as poem_openapi::types::ToJSON>|serde_json::value::")),
    ("serde_json (parse, write)", re.compile(r"serde_json::|as serde::ser::Serialize|serde::de::")),
    (
        "sea-orm row mapping (FromQueryResult, TryGetable)",
        re.compile(r"FromQueryResult|TryGetable|sea_orm::executor::query"),
    ),
    ("sea-orm / sea-query (statement building, executor)", re.compile(r"\bsea_orm|\bsea_query")),
    ("sqlx (PostgreSQL protocol, row decoding, pool)", re.compile(r"\bsqlx_")),
    (
        "access log / metrics middleware (observe, prometheus)",
        re.compile(r"comments_api::http::observe|comments_api::metrics|prometheus_client"),
    ),
    ("tracing (spans, subscriber)", re.compile(r"\btracing(_subscriber|_core|_log)?::")),
    ("poem-openapi (parameters, responses, operation)", re.compile(r"\bpoem_openapi")),
    ("poem (routing, middleware, request/response)", re.compile(r"\bpoem::")),
    (
        "hyper / http (HTTP/1 parse and write, header maps, the connection layer)",
        re.compile(r"\b(hyper|hyper_util|httparse|http_body|http_body_util|http)::|comments_api::http_server"),
    ),
    ("comments-api (handlers, store)", re.compile(r"\bcomments_api::")),
    ("tokio runtime (scheduler, I/O driver, timers)", re.compile(r"\b(tokio|tokio_util|mio)::")),
    ("chrono (timestamps)", re.compile(r"\bchrono::")),
    ("uuid (request ids)", re.compile(r"\buuid::")),
    ("sha2 (fingerprints)", re.compile(r"\bsha2::")),
    ("regex", re.compile(r"\bregex(_automata|_syntax)?::")),
    ("futures", re.compile(r"\bfutures(_util|_core|_channel)?::")),
]
# Code that works for its caller: skipped, so the sample goes to the first frame above it.
NEUTRAL = re.compile(
    r"^(__)?(mem(cpy|move|set|cmp|chr)|str(len|cmp)|bcmp)|^(<)?(core|alloc|std|hashbrown|bytes|smallvec|"
    r"parking_lot|parking_lot_core|lock_api|once_cell|itoa|ryu|memchr)::|^\[unknown\]$|^_start$|^__libc_start"
)
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("the database call (sea-orm and sqlx, their system calls included)", re.compile(r"\bsea_orm|\bsqlx_")),
    ("group commit's writer tasks (comments_api::store::writer)", re.compile(r"comments_api::store::writer")),
    ("the response body to JSON (ToJSON and serde_json writing)", re.compile(r"ToJSON|serde_json::ser")),
    ("kernel (any frame)", re.compile(r"^\[k\]")),
    ("allocation (any frame)", GROUPS[0][1]),
]


def samples(data: Path) -> list[list[str]]:
    """The call stack of every sample, leaf first; kernel frames prefixed `[k] `."""
    text = subprocess.run(
        ["perf", "script", "-i", str(data), "-F", "ip,sym,dso", "--no-inline"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stacks: list[list[str]] = []
    for block in text.split("\n\n"):
        frames = []
        for line in block.splitlines():
            parts = line.strip().split(None, 1)
            if len(parts) < 2:
                continue
            rest = parts[1]
            dso = ""
            if rest.endswith(")") and " (" in rest:
                rest, dso = rest.rsplit(" (", 1)
            symbol = re.sub(r"\+0x[0-9a-f]+$", "", rest.strip())
            kernel = "kernel" in dso or dso.startswith("[k")
            frames.append(("[k] " if kernel else "") + symbol)
        if frames:
            stacks.append(frames)
    return stacks


def syscall_owner(frames: list[str]) -> str | None:
    """Who made a system call: the first user-space frame's group, past the runtime's I/O layer."""
    for frame in frames:
        if frame.startswith("[k] "):
            continue
        for name, pattern in GROUPS:
            if pattern.search(frame) and not name.startswith(("tokio", "futures")):
                return name
    return None


def group_of(frames: list[str]) -> str:
    if frames[0].startswith("[k] "):
        # System calls by name and by who made them (sqlx's socket to PostgreSQL, hyper's to the
        # client, tokio's epoll); the rest (interrupts, context switches) as one group.
        owner = syscall_owner(frames)
        by = f" (from {owner.split(' (')[0]})" if owner else ""
        for frame in frames:
            syscall = re.search(r"__(?:x64|se|do)_sys_(\w+)", frame)
            if syscall:
                return f"kernel: {syscall.group(1)}{by}"
        return "kernel: other (interrupts, scheduling)"
    for frame in frames:
        for name, pattern in GROUPS:
            if pattern.search(frame):
                return name
        if not NEUTRAL.search(frame):
            crate = re.match(r"<?([A-Za-z_][A-Za-z0-9_]*)::", frame)
            return f"other: {crate.group(1)}" if crate else f"other: {frame[:60]}"
    return "other: standard library only"


def perf_top(data: Path, children: bool, limit: float) -> str:
    args = ["perf", "report", "-i", str(data), "--stdio", "--sort", "symbol", "-g", "none", "--no-inline"]
    args += ["--children" if children else "--no-children", "--percent-limit", str(limit)]
    text = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    return "\n".join(line.rstrip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--hz", type=float, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--title", default="")
    args = parser.parse_args()
    stacks = samples(args.data)
    total = len(stacks)
    if not total or not args.requests:
        raise SystemExit(f"{args.data}: no samples or no requests")

    def us(n: int) -> float:
        return n / args.hz * 1e6 / args.requests

    print(f"# {args.title}" if args.title else f"# {args.data}")
    print(
        f"\n{total} samples at {args.hz:g} Hz = {total / args.hz:.2f} s of CPU for {args.requests:,} requests: "
        f"{us(total):.1f} us of service CPU per request\n"
    )
    print("| group (self time) | share | us per request |\n|---|---:|---:|")
    for name, n in Counter(group_of(s) for s in stacks).most_common():
        print(f"| {name} | {100 * n / total:.1f}% | {us(n):.1f} |")
    print("\n| inclusive (marker anywhere on the stack) | share | us per request |\n|---|---:|---:|")
    for name, pattern in MARKERS:
        n = sum(1 for s in stacks if any(pattern.search(f) for f in s))
        print(f"| {name} | {100 * n / total:.1f}% | {us(n):.1f} |")
    print("\nTop symbols, self (perf report --no-children --sort symbol):\n")
    print(perf_top(args.data, children=False, limit=0.7))
    print("\nTop symbols, inclusive (perf report --children --sort symbol):\n")
    print(perf_top(args.data, children=True, limit=4))


if __name__ == "__main__":
    main()
