"""Reading commit statuses from the GitHub REST API (the evidence the clusters report through Argo CD
notifications). Standard library only; the API base, repository and token come from the environment,
as GitHub Actions sets them (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN or GH_TOKEN)."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from .layout import CheckError

COMMENTS_APPSET = Path("argocd/applicationsets/comments-api.yaml")


@dataclass(frozen=True)
class Status:
    commit: str
    context: str
    state: str  # success | failure | error | pending
    description: str
    target_url: str
    created_at: datetime


def repository(root: Path) -> str:
    """owner/name: GITHUB_REPOSITORY, else the repository Argo CD deploys from (the ApplicationSet)."""
    if os.environ.get("GITHUB_REPOSITORY"):
        return os.environ["GITHUB_REPOSITORY"]
    appset = yaml.safe_load((root / COMMENTS_APPSET).read_text())
    url = appset["spec"]["template"]["spec"]["source"]["repoURL"]
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(\.git)?", url)
    if not match:
        raise CheckError(f"{COMMENTS_APPSET}: repoURL {url} is not a GitHub repository; set GITHUB_REPOSITORY")
    return match[1]


class GitHub:
    def __init__(self, root: Path):
        self.api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
        self.repo = repository(root)
        self.token = os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN")
        self.web = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")

    def statuses(self, commit: str) -> list[Status]:
        """Every status of `commit` (all contexts, newest first as GitHub returns them)."""
        found: list[Status] = []
        for page in range(1, 11):
            url = f"{self.api}/repos/{self.repo}/commits/{commit}/statuses?per_page=100&page={page}"
            request = urllib.request.Request(
                url,
                headers={
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                    **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:
                    items = json.load(response)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise CheckError(f"cannot read the commit statuses of {commit[:12]} from {self.api}: {exc}") from exc
            found += [
                Status(
                    commit,
                    item["context"],
                    item["state"],
                    item.get("description") or "",
                    item.get("target_url") or "",
                    parse_time(item["created_at"]),
                )
                for item in items
            ]
            if len(items) < 100:
                break
        return found

    def commit_url(self, commit: str) -> str:
        return f"{self.web}/{self.repo}/commit/{commit}"


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
