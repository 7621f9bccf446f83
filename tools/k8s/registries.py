"""`just image-refs <env>`: the registries an environment's clusters pull from, as `key=value` lines.

The overlays are the one place that names them (`images: newName` of environments/<env>/{gke,eks}),
so the release pushes, and promotion copies, exactly where the clusters pull from. Keys:
gar-image, gar-registry, gcp-region (GKE) and ecr-image, ecr-registry, aws-region (EKS).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from .layout import ENVIRONMENTS, CheckError, overlay_dir, repo_root

IMAGE = "comments-api"
GAR = re.compile(r"(?P<registry>(?P<region>[a-z0-9-]+)-docker\.pkg\.dev)/[a-z][a-z0-9-]+/[a-z0-9-]+/" + IMAGE)
ECR = re.compile(r"(?P<registry>[0-9]{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com)/[a-z0-9._/-]+")


def overlay_image(root: Path, env: str, cloud: str) -> str:
    path = root / overlay_dir(env, cloud) / "kustomization.yaml"
    images = yaml.safe_load(path.read_text()).get("images") or []
    names = [entry.get("newName") for entry in images if entry.get("name") == IMAGE]
    if len(names) != 1 or not names[0]:
        raise CheckError(f"{path.relative_to(root)}: expected one images entry with name {IMAGE} and a newName")
    return names[0]


def image_refs(root: Path, env: str) -> dict[str, str]:
    if env not in ENVIRONMENTS:
        raise CheckError(f"environments are {', '.join(ENVIRONMENTS)}; got {env}")
    refs = {}
    for cloud, prefix, pattern in (("gke", "gar", GAR), ("eks", "ecr", ECR)):
        image = overlay_image(root, env, cloud)
        match = pattern.fullmatch(image)
        if not match:
            raise CheckError(f"{env}-{cloud}: {image!r} is not a {prefix.upper()} image path of {IMAGE}")
        refs[f"{prefix}-image"] = image
        refs[f"{prefix}-registry"] = match["registry"]
        refs[f"{'gcp' if cloud == 'gke' else 'aws'}-region"] = match["region"]
    return refs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=repo_root())
    parser.add_argument("env")
    args = parser.parse_args(argv)
    try:
        refs = image_refs(args.root.resolve(), args.env)
    except CheckError as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    for key, value in refs.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
