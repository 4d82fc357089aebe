"""The command line turns NumPy's transparent huge pages off unless the user chose
(issue 16: on a kernel that compacts memory synchronously, they stall big runs)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CODE = (
    "import simulator.cli, numpy\n"
    "from numpy._core import multiarray\n"
    "print(multiarray._get_madvise_hugepage())\n"
)


@pytest.mark.parametrize(("setting", "expected"), [(None, "False"), ("1", "True")])
def test_the_cli_leaves_huge_pages_off_unless_the_user_asks(
    setting: str | None, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    if setting is not None:
        env["NUMPY_MADVISE_HUGEPAGE"] = setting
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == expected
