"""The habits of issue 10: ruff and mypy configured in pyproject.toml, run by ``make lint`` before the
tests (so by ``.ci/run``), a ``.pre-commit-config.yaml`` whose hooks call tools that exist, ``py.typed``."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from repo_paths import REPO_ROOT

from sldkg.cli import main

CONFIG = REPO_ROOT / ".pre-commit-config.yaml"


def _hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {hook["id"]: {**hook, "repo": repo["repo"]} for repo in config["repos"] for hook in repo["hooks"]}


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _make_rule(target: str) -> tuple[list[str], list[str]]:
    """The prerequisites and recipe lines of ``target`` in the Makefile."""
    lines = (REPO_ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.startswith(f"{target}:"):
            recipe = []
            for following in lines[number + 1 :]:
                if not following.startswith("\t"):
                    break
                recipe.append(following.strip())
            return line.split(":", 1)[1].split(), recipe
    raise AssertionError(f"the Makefile has no target {target!r}")


def test_the_pre_commit_config_runs_ruff_mypy_and_the_data_checks() -> None:
    hooks = _hooks()
    assert {"ruff", "ruff-format", "mypy", "sldkg-fmt-check", "sldkg-validate"} <= set(hooks)
    # nothing to download: every hook is local (pre-commit cannot fetch hook repositories here)
    assert {hook["repo"] for hook in hooks.values()} == {"local"}
    # the data checks look at the whole data folder, not at the files of one commit
    assert hooks["sldkg-validate"]["pass_filenames"] is False
    assert hooks["mypy"]["pass_filenames"] is False


def test_every_hook_calls_a_tool_of_this_environment() -> None:
    tools = Path(sys.executable).parent
    for hook_id, hook in _hooks().items():
        program, *args = shlex.split(hook["entry"])
        assert program.startswith(".venv/bin/"), f"{hook_id}: {program} is not a tool of .venv"
        assert (tools / Path(program).name).is_file(), f"{hook_id}: {Path(program).name} is not installed by the test extra"
        if Path(program).name == "sldkg":
            command = main.commands[args[0]]
            options = {option for parameter in command.params for option in getattr(parameter, "opts", [])}
            assert {a for a in args[1:] if a.startswith("-")} <= options, f"{hook_id}: sldkg {args[0]} has no such option"


def test_the_hooks_look_at_the_right_files() -> None:
    hooks = _hooks()

    def matches(hook_id: str, path: str) -> bool:
        return re.search(hooks[hook_id].get("files", ""), path) is not None

    for python in ("server/sldkg/cli.py", "tests/test_habits.py", "benchmarks/run.py"):
        assert matches("ruff", python) and matches("ruff-format", python)
    assert matches("mypy", "server/sldkg/graph/store.py") and not matches("mypy", "tests/test_habits.py")
    for hook_id in ("sldkg-fmt-check", "sldkg-validate"):
        assert matches(hook_id, "data/workshops/blw6/event.ttl") and matches(hook_id, "shapes/land.ttl")
        # the test fixtures are deliberately broken or vendored as they were published
        assert not matches(hook_id, "tests/shapes/LandShape-invalid-01.ttl")


def test_pre_commit_accepts_the_config() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_make_test_runs_the_lint_first_and_ci_runs_make_test() -> None:
    prerequisites, _ = _make_rule("test")
    assert "lint" in prerequisites
    _, lint = _make_rule("lint")
    assert "$(BIN)/ruff check server tests benchmarks" in lint
    assert "$(BIN)/ruff format --check server tests benchmarks" in lint
    assert "$(BIN)/mypy" in lint
    assert re.search(r"^make test$", (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.MULTILINE)


def test_mypy_is_strict_on_the_package_and_the_tools_come_with_the_test_extra() -> None:
    pyproject = _pyproject()
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert pyproject["tool"]["mypy"]["files"] == ["server/sldkg"]
    assert pyproject["tool"]["ruff"]["line-length"] == 140
    extra = {
        re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower() for requirement in pyproject["project"]["optional-dependencies"]["test"]
    }
    assert {"ruff", "mypy", "types-pyyaml", "types-requests", "pre-commit"} <= extra


def test_the_package_says_it_is_typed() -> None:
    assert (REPO_ROOT / "server" / "sldkg" / "py.typed").is_file()
    assert "py.typed" in _pyproject()["tool"]["setuptools"]["package-data"]["sldkg"]
