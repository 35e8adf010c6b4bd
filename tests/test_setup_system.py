"""`make test`'s first step, tools/setup_system.sh, on a machine that lacks the browser packages.

Each test runs the real script with a PATH holding only a stand-in `id` (root or not) and
a stand-in `apt-get` that records what it was asked, so every tool the script looks for
is hidden and nothing is installed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "setup_system.sh"
EVERY_PACKAGE = "chromium chromium-driver fonts-noto-core nodejs npm"
INSTALL = f"apt-get install -y -o DPkg::Lock::Timeout=600 {EVERY_PACKAGE}"


def machine(tmp_path: Path, *, uid: int, tools: tuple[str, ...] = ()) -> dict[str, str]:
    """A PATH with `id` answering `uid`, an `apt-get` that records its calls, and the named tools present."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_ins = {
        "id": f"#!/bin/sh\necho {uid}\n",
        "apt-get": f'#!/bin/sh\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {tmp_path / "apt.log"}\n',
        **{tool: "#!/bin/sh\nexit 0\n" for tool in tools},
    }
    for name, body in stand_ins.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    return {"PATH": str(bin_dir), "SETUP_NOTO_DIR": str(tmp_path / "no-fonts-here")}


def setup(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(SCRIPT), *args], env=environ, capture_output=True, text=True, timeout=30)


def apt_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


def test_a_dry_run_as_root_prints_apt_get_update_once_and_the_one_install_and_runs_nothing(tmp_path):
    result = setup(machine(tmp_path, uid=0), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["apt-get update", f"DEBIAN_FRONTEND=noninteractive {INSTALL}"]
    assert apt_calls(tmp_path) == []


def test_as_root_it_runs_apt_get_update_once_then_installs_every_missing_package_in_one_command(tmp_path):
    result = setup(machine(tmp_path, uid=0))
    assert result.returncode == 0, result.stderr
    assert apt_calls(tmp_path) == [
        "DEBIAN_FRONTEND= update",
        f"DEBIAN_FRONTEND=noninteractive {INSTALL.removeprefix('apt-get ')}",
    ]


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)], ids=["run", "dry run"])
def test_as_another_user_it_stops_at_once_naming_the_one_command_to_run(tmp_path, dry_run):
    result = setup(machine(tmp_path, uid=1000), *dry_run)
    assert result.returncode == 1 and result.stdout == ""
    commands = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert commands == [f"sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive {INSTALL}'"]
    assert apt_calls(tmp_path) == []


def test_only_the_missing_packages_are_installed(tmp_path):
    environ = machine(tmp_path, uid=0, tools=("chromium", "node", "npm"))
    result = setup(environ, "--dry-run")
    assert result.stdout.splitlines()[-1].endswith("DPkg::Lock::Timeout=600 chromium-driver fonts-noto-core")


def test_with_everything_present_it_does_nothing_and_needs_no_root(tmp_path):
    environ = machine(tmp_path, uid=1000, tools=("chromium", "chromedriver", "node", "npm"))
    (tmp_path / "no-fonts-here").mkdir()
    result = setup(environ)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert apt_calls(tmp_path) == []


def test_make_test_runs_the_set_up_first_and_ci_only_starts_services_then_calls_make_test():
    root = SCRIPT.parent.parent
    # Run from make test itself, make would print its directory for a sub-make: start afresh.
    environ = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    planned = subprocess.run(["make", "--no-print-directory", "-n", "test"], cwd=root, env=environ, capture_output=True,
                             text=True, timeout=30, check=True)  # fmt: skip
    assert planned.stdout.splitlines()[0] == "tools/setup_system.sh"
    ci = (root / ".ci" / "run").read_text()
    assert "apt-get" not in ci and ci.rstrip().endswith("make test")
