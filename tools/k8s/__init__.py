"""Kubernetes delivery tooling: render, validate and promote the comments-api overlays (see docs/delivery.md)."""
