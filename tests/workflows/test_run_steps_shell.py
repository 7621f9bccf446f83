"""Every `run:` step, run the way GitHub runs it.

GitHub writes a step's script to a file and runs it with the step's effective shell (step `shell:`, else
the job's `defaults.run.shell`, else the workflow's, else `bash -e {0}`): `bash` means
`bash --noprofile --norc -eo pipefail {0}`. Without pipefail `failing | tee` exits 0 and the step passes.

1. each step's effective invocation must fail a script whose failing command sits inside a pipe;
2. each step whose script has a pipe is run itself, with the external commands (just, git, cloud CLIs, the
   repository's scripts) replaced by stubs: it passes when they succeed, and fails when any command to the
   left of a `|` fails.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from workflows_helpers import REPO

GITHUB = REPO / ".github"
DIGEST = "sha256:" + "ab" * 32
# GitHub's documented invocations (docs: workflow syntax, jobs.<job_id>.steps[*].shell).
SHELLS = {
    None: "bash -e {0}",
    "bash": "bash --noprofile --norc -eo pipefail {0}",
    "sh": "sh -e {0}",
}
STUBBED = ("just", "git", "gcloud", "cosign", "oras", "gh", "docker", "cargo", "rustup", "trivy", "git-cliff")
KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
# What the stubbed commands print when they succeed (the shape the steps parse).
CANNED = {
    "git": f"app/src/main.rs\n+    newTag: {DIGEST}\n",
    "just": "gar-image=example/comments-api\necr-registry=111122223333.dkr.ecr.eu-west-1.amazonaws.com\n",
    "changed-areas.sh": "rust=true\n",
    "copy-image.sh": "copied\n",
    "release-version.sh": "version=1.2.3\n",
}


@dataclass(frozen=True)
class Step:
    name: str
    script: str
    shell: str | None
    env: dict[str, str]


def expression(text: str) -> str:
    """A plausible value for a `${{ ... }}` expression (the steps only pass them through env)."""
    if "digest" in text:
        return DIGEST
    if "event_name" in text:
        return "pull_request"
    if "rollback" in text:
        return "false"
    if "inputs.to" in text or "environment" in text:
        return "staging"
    return "x"


def evaluate(value: object) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: expression(m[1]), str(value))


def collect() -> list[Step]:
    steps = []
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text())
        default = ((workflow.get("defaults") or {}).get("run") or {}).get("shell")
        for job_name, job in workflow["jobs"].items():
            job_default = ((job.get("defaults") or {}).get("run") or {}).get("shell", default)
            env = {k: evaluate(v) for k, v in {**(workflow.get("env") or {}), **(job.get("env") or {})}.items()}
            for index, step in enumerate(job.get("steps") or []):
                if "run" in step:
                    steps.append(
                        Step(
                            f"{path.name}:{job_name}:{step.get('name', index + 1)}",
                            step["run"],
                            step.get("shell", job_default),
                            {**env, **{k: evaluate(v) for k, v in (step.get("env") or {}).items()}},
                        )
                    )
    for path in sorted((GITHUB / "actions").glob("*/action.yml")):
        action = yaml.safe_load(path.read_text())
        for index, step in enumerate(action["runs"]["steps"]):
            if "run" in step:
                steps.append(
                    Step(
                        f"{path.parent.name}:{step.get('name', index + 1)}",
                        step["run"],
                        step.get("shell"),
                        {k: evaluate(v) for k, v in (step.get("env") or {}).items()},
                    )
                )
    return steps


def pipe_heads(script: str) -> list[str]:
    """The command of every pipeline element left of a `|` (quotes, `$(...)`, comments honoured)."""
    text, heads, quotes, starts, i = script.replace("\\\n", " "), [], [None], [0], 0
    while i < len(text):
        c, quote = text[i], quotes[-1]
        if quote == "'":
            quotes[-1] = None if c == "'" else quote
        elif c == "\\":
            i += 1
        elif text.startswith("$(", i):
            quotes.append(None)
            starts.append(i + 2)
            i += 2
            continue
        elif quote == '"':
            quotes[-1] = None if c == '"' else quote
        elif c in "'\"":
            quotes[-1] = c
        elif c == ")" and len(quotes) > 1:
            quotes.pop()
            starts.pop()
        elif c == "#" and (i == 0 or text[i - 1].isspace()):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        elif text.startswith(("||", "&&"), i):
            starts[-1] = i = i + 2
            continue
        elif c in ";\n(":
            starts[-1] = i + 1
        elif c == "|" and not text.startswith("|&", i):
            words = [w for w in shlex.split(text[starts[-1] : i]) if w not in KEYWORDS and "=" not in w.split("/")[0]]
            if words:
                heads.append(Path(words[1]).name if words[0] == "bash" and len(words) > 1 else words[0])
            starts[-1] = i + 1
        i += 1
    return heads


STUB = """#!/bin/bash
key=$(basename "$0")
if [ "$key" = bash ]; then
  case "${1:-}" in *.sh) key=$(basename "$1") ;; *) exec /bin/bash "$@" ;; esac
fi
echo "$key $*" >> "$STUB_LOG"
calls=$(grep -c "^$key " "$STUB_LOG")
[ -f "$STUB_OUT/$key" ] && cat "$STUB_OUT/$key"
if [ "$key" = "${STUB_FAIL:-}" ] && [ "$calls" = "${STUB_FAIL_AT:-1}" ]; then echo "stub: $key fails" >&2; exit 1; fi
exit 0
"""


def run_step(step: Step, tmp: Path, fail: str = "", at: int = 1) -> subprocess.CompletedProcess:
    bin_dir, out_dir, work = tmp / "bin", tmp / "out", tmp / "work"
    for d in (bin_dir, out_dir, work / "out" / "loadtest", tmp / "runner"):
        d.mkdir(parents=True, exist_ok=True)
    for name in (*STUBBED, "bash"):
        (bin_dir / name).write_text(STUB)
        (bin_dir / name).chmod(0o755)
    for key, text in CANNED.items():
        (out_dir / key).write_text(text)
    script = tmp / "step.sh"
    script.write_text(step.script)
    env = {
        **{k: v.replace("x/out", f"{work}/out") for k, v in step.env.items()},
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp),
        "STUB_LOG": str(tmp / "log"),
        "STUB_OUT": str(out_dir),
        "STUB_FAIL": fail,
        "STUB_FAIL_AT": str(at),
        "RUNNER_TEMP": str(tmp / "runner"),
        "GITHUB_OUTPUT": str(tmp / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary"),
        "GITHUB_ENV": str(tmp / "env"),
        "GITHUB_PATH": str(tmp / "path"),
        "GITHUB_SHA": "0" * 40,
        "GITHUB_REPOSITORY": "example-org/comments-platform",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_WORKSPACE": str(work),
        "LOADTEST_OUT": f"{work}/out/loadtest",
    }
    shell = SHELLS.get(step.shell, step.shell or "")
    args = [("/bin/bash" if a == "bash" else a) for a in shlex.split(shell.replace("{0}", str(script)))]
    return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=60, check=False)


STEPS = collect()
PIPED = [step for step in STEPS if pipe_heads(step.script)]


def test_the_steps_are_found():
    assert len(STEPS) > 30, [s.name for s in STEPS]
    assert len(PIPED) >= 5, [s.name for s in PIPED]
    assert pipe_heads('x=$(a | b)\necho "$(c -n | d)" | e  # f | g\nh || i && j |& k') == ["a", "c", "echo"]
    assert pipe_heads("bash .github/scripts/copy-image.sh a | tee") == ["copy-image.sh"]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
def test_a_failing_command_in_a_pipe_fails_the_steps_shell(step: Step, tmp_path: Path):
    probe = Step(step.name, "false | cat\n", step.shell, {})
    result = run_step(probe, tmp_path)
    assert result.returncode != 0, (
        f"{step.name} runs as `{SHELLS.get(step.shell, step.shell)}`: `false | cat` passes (no pipefail)"
    )


@pytest.mark.parametrize("step", PIPED, ids=lambda s: s.name)
def test_each_piped_step_fails_when_a_piped_command_fails(step: Step, tmp_path: Path):
    baseline = run_step(step, tmp_path / "ok")
    assert baseline.returncode == 0, f"{step.name} fails with every command succeeding:\n{baseline.stderr}"
    calls = [line.split()[0] for line in (tmp_path / "ok" / "log").read_text().splitlines()]
    for head in sorted(set(pipe_heads(step.script))):
        if head not in (*STUBBED, *CANNED) and not head.endswith(".sh"):
            continue  # a shell builtin or coreutil (echo, cat, sed): nothing the network can break
        # Every call of that command (a step may call it in a pipe and elsewhere): each failure must count.
        for at in range(1, calls.count(head) + 1):
            result = run_step(step, tmp_path / f"{head}-{at}", fail=head, at=at)
            assert result.returncode != 0, (
                f"{step.name}: the step passes although call {at} of `{head}` failed (inside a pipe)"
            )
