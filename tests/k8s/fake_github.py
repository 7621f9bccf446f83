"""A small local GitHub API: serves the commit statuses the tests post, as GitHub's REST API does
(GET /repos/{owner}/{repo}/commits/{ref}/statuses, newest first, paginated), and records the requests."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

REPO = "example-org/comments-platform"


class FakeGitHub:
    def __init__(self):
        self.statuses: dict[str, list[dict]] = {}
        self.requests: list[str] = []
        self.broken = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                fake.requests.append(self.path)
                url = urlparse(self.path)
                parts = url.path.strip("/").split("/")
                if fake.broken:
                    return self.answer(502, {"message": "Bad gateway"})
                if (
                    len(parts) != 6
                    or parts[:1] != ["repos"]
                    or "/".join(parts[1:3]) != REPO
                    or parts[3] != "commits"
                    or parts[5] != "statuses"
                ):
                    return self.answer(404, {"message": "Not Found"})
                query = parse_qs(url.query)
                per_page, page = int(query.get("per_page", ["30"])[0]), int(query.get("page", ["1"])[0])
                items = sorted(fake.statuses.get(parts[4], []), key=lambda s: s["created_at"], reverse=True)
                self.answer(200, items[(page - 1) * per_page : page * per_page])

            def answer(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def env(self) -> dict[str, str]:
        return {
            "GITHUB_API_URL": self.url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_TOKEN": "test-token",
        }

    def post(self, commit: str, env: str, cloud: str, state: str, description: str, ago: timedelta) -> None:
        """What Argo CD notifications would post: a status `deploy/<env>-<cloud>` on `commit`, `ago` ago."""
        created = datetime.now(UTC) - ago
        self.statuses.setdefault(commit, []).append(
            {
                "context": f"deploy/{env}-{cloud}",
                "state": state,
                "description": description,
                "target_url": f"https://argocd.{cloud}.{env}.example/applications/comments-api-{env}-{cloud}",
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
