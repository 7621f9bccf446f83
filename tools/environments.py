"""The deployment environments in promotion order (dev -> staging -> prod): the one list the Kubernetes
tools, the Terraform checks and the workflow invariants read."""

ENVIRONMENTS = ("dev", "staging", "prod")
