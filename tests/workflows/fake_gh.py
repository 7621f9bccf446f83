#!/usr/bin/env python3
"""A stand-in for `gh api` holding one repository's PR comments in a JSON file (FAKE_GH_STATE).

Supports what the comment scripts call: GET pulls/N (--jq head), GET issues/N/comments
(--paginate --jq select by marker), POST issues/N/comments and PATCH issues/comments/ID (--input -).
"""

import json
import os
import re
import sys

state_path = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_path))
args = sys.argv[1:]
assert args[0] == "api", args
method = args[args.index("--method") + 1] if "--method" in args else "GET"
path = next(a for a in args[1:] if a.startswith("repos/"))
jq = args[args.index("--jq") + 1] if "--jq" in args else ""
state["calls"].append(f"{method} {path}")

if m := re.fullmatch(r"repos/[^/]+/[^/]+/pulls/(\d+)", path):
    print(state["heads"][m[1]])
elif m := re.fullmatch(r"repos/[^/]+/[^/]+/issues/(\d+)/comments", path):
    if method == "GET":
        marker = re.search(r'startswith\("(.*?)"\)', jq)[1]
        for comment in state["comments"].get(m[1], []):
            if comment["body"].startswith(marker):
                print(comment["id"])
    else:
        body = json.load(sys.stdin)["body"]
        state["next_id"] += 1
        state["comments"].setdefault(m[1], []).append({"id": state["next_id"], "body": body})
elif m := re.fullmatch(r"repos/[^/]+/[^/]+/issues/comments/(\d+)", path):
    body = json.load(sys.stdin)["body"]
    for comments in state["comments"].values():
        for comment in comments:
            if comment["id"] == int(m[1]):
                comment["body"] = body
else:
    sys.exit(f"fake gh: unexpected {method} {path}")
json.dump(state, open(state_path, "w"))
