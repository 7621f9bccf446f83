"""Offline checks of the Terraform code (modules/ and the environments/*/{gcp,aws} roots)."""
