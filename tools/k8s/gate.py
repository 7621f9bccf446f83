"""The promotion gate: may environment A's digest move to B now? Every refusal is one line.

Refused unless all hold (docs/delivery.md, Promotion):
  skipped environment  B is the environment right after A (dev -> staging -> prod);
  stale                the digest is A's *current* committed pin (not one A has abandoned, not an
                       uncommitted edit);
  missing cloud        both of A's clusters reported on the commits that pinned it;
  degraded / failed    each cloud's latest report is `success`, names the digest and says the PostSync
                       smoke check passed (a degraded app, a failed sync or a failed smoke check refuse);
  soak                 both clouds have been healthy with it for A's soak time
                       (environments/A/settings/promotion.yaml).
`--force --reason` waives the evidence and the soak (never the order or the pin), and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from .evidence import CloudEvidence, gather
from .github import GitHub
from .layout import ENVIRONMENTS, CheckError, version_file
from .pins import pin_history, runs, working_pin

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Refused(CheckError):
    def __init__(self, reasons: list[str]):
        super().__init__("\n".join(reasons))
        self.reasons = reasons


def promotion_settings(env: str) -> Path:
    return Path("environments") / env / "settings" / "promotion.yaml"


def parse_duration(text: str) -> timedelta:
    parts = re.findall(r"(\d+)([smhd])", str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        raise CheckError(f"not a duration such as 30m, 24h or 1h30m: {text!r}")
    return timedelta(seconds=sum(int(n) * UNITS[u] for n, u in parts))


def soak_time(root: Path, env: str) -> timedelta:
    path = root / promotion_settings(env)
    if not path.is_file():
        raise CheckError(f"{promotion_settings(env)} is missing: it sets how long {env} runs a digest before promotion")
    data = yaml.safe_load(path.read_text()) or {}
    if "soak" not in data:
        raise CheckError(f"{promotion_settings(env)} has no `soak` (e.g. soak: 30m)")
    return parse_duration(data["soak"])


def short(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


@dataclass
class Verdict:
    source: str
    target: str
    digest: str
    pinned_in: str = ""
    evidence: dict[str, CloudEvidence] = field(default_factory=dict)
    soak: timedelta = timedelta(0)
    soaked: timedelta | None = None
    refusals: list[str] = field(default_factory=list)  # order, pin: never waived
    waivable: list[str] = field(default_factory=list)  # evidence, soak: waived by --force


def next_in_line(src: str, dst: str) -> str | None:
    if src not in ENVIRONMENTS or dst not in ENVIRONMENTS:
        return f"environments are {', '.join(ENVIRONMENTS)}; got {src} -> {dst}"
    if ENVIRONMENTS.index(dst) != ENVIRONMENTS.index(src) + 1:
        skipped = ENVIRONMENTS[ENVIRONMENTS.index(src) + 1 : ENVIRONMENTS.index(dst)]
        what = f"skipped environment: {', '.join(skipped)} must run it first" if skipped else "not forward"
        return f"{what}; promotion goes {' -> '.join(ENVIRONMENTS)}, one step at a time; {src} -> {dst} is not allowed"
    return None


def evaluate(
    root: Path, src: str, dst: str, digest: str | None = None, github: GitHub | None = None, now: datetime | None = None
) -> Verdict:
    order = next_in_line(src, dst)
    if order:
        return Verdict(src, dst, digest or "", refusals=[order])
    history = runs(root, src)
    if not history:
        raise CheckError(f"{version_file(src)} has no committed pin")
    current, since, _ = history[0]
    verdict = Verdict(src, dst, digest or current, pinned_in=since)
    if working_pin(root, src) != current:
        verdict.refusals.append(
            f"stale: {version_file(src)} has an uncommitted change; promote what {src} "
            f"has deployed from main ({current})"
        )
    if digest and digest != current:
        abandoned = [commit for commit, pinned in pin_history(root, src) if pinned == digest]
        was = f"{src} abandoned it (it pinned it in {abandoned[-1][:12]})" if abandoned else f"{src} never pinned it"
        verdict.refusals.append(f"stale: {digest} is not {src}'s current pin ({current}, since {since[:12]}); {was}")
        return verdict
    verdict.soak = soak_time(root, src)
    verdict.evidence = gather(github or GitHub(root), root, src, current, since)
    verdict.waivable += [e.reason for e in verdict.evidence.values() if not e.verified]
    if all(e.verified for e in verdict.evidence.values()):
        start = max(e.since for e in verdict.evidence.values() if e.since)
        verdict.soaked = (now or datetime.now(UTC)) - start
        if verdict.soaked < verdict.soak:
            verdict.waivable.append(
                f"soak not elapsed: {src} has run {current} healthy on both clouds for {short(verdict.soaked)}, "
                f"needs {short(verdict.soak)} ({promotion_settings(src)}); not before {start + verdict.soak:%Y-%m-%d %H:%M}Z"
            )
    return verdict


def evidence_markdown(verdict: Verdict, github: GitHub | None, forced: bool, reason: str) -> str:
    lines = [f"### Promotion evidence ({verdict.source} -> {verdict.target})", ""]
    commit = github.commit_url(verdict.pinned_in) if github else verdict.pinned_in
    lines.append(f"- digest `{verdict.digest}`, pinned in {verdict.source} by [{verdict.pinned_in[:12]}]({commit})")
    lines += [f"- {e.line()}" for e in verdict.evidence.values()]
    if verdict.soaked is not None:
        lines.append(
            f"- soak: {short(verdict.soaked)} healthy on both clouds (required {short(verdict.soak)}, "
            f"{promotion_settings(verdict.source)})"
        )
    if forced:
        lines += (
            ["", "### FORCED: gate waived", "", f"Reason: {reason}", "", "Waived checks:"]
            + [f"- {line}" for line in verdict.waivable or ["(none failed)"]]
            + ["", "A forced promotion runs behind the `production` environment's required reviewers."]
        )
    return "\n".join(lines) + "\n"


def history_evidence(verdict: Verdict) -> str:
    parts = [e.reason for e in verdict.evidence.values()]
    if verdict.soaked is not None:
        parts.append(f"soak {short(verdict.soaked)} >= {short(verdict.soak)}")
    return "; ".join(parts)
