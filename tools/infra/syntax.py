"""Every .tf file parses. tfparse wraps HashiCorp's HCL parser; with stop_on_hcl_error it raises
on the first broken directory instead of skipping the file, and its message carries file:line."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import tfparse

from .layout import Finding, parse_file, rel, terraform_dirs


@contextmanager
def _quiet_stderr():
    """tfparse's Go side logs every block type it does not model (e.g. `ephemeral`) to fd 2;
    keep that noise out of the report (parse errors come back as exceptions)."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def check(root: Path) -> tuple[list[Finding], int]:
    """Return the findings and the number of files parsed."""
    findings: list[Finding] = []
    files = 0
    for directory in terraform_dirs(root):
        where = rel(directory, root)
        try:
            with _quiet_stderr():
                tfparse.load_from_path(str(directory), stop_on_hcl_error=True)
        except Exception as error:  # tfparse raises its own ParseError; report any failure
            # "unable to create TerraformConverter: main.tf:6,23-7,1: ..." -> dir/main.tf:6
            detail = str(error).split("TerraformConverter: ", 1)[-1]
            location = f"{where}/{detail.split(',', 1)[0]}" if ".tf:" in detail else where
            findings.append(Finding("syntax", location, detail))
            continue
        # The semantic checks read the same files with python-hcl2; a file it cannot read would
        # leave those checks blind, so that is a failure too.
        for file in sorted(directory.glob("*.tf")):
            files += 1
            try:
                parse_file(file)
            except Exception as error:
                line = getattr(error, "line", "?")
                findings.append(Finding("syntax", f"{rel(file, root)}:{line}", f"python-hcl2 cannot read it: {error}"))
    return findings, files
