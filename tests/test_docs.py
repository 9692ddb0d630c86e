"""The documentation stays true: every setting documented with its variable and default, a short
README that links every docs/ file, and no relative link that points nowhere.

Docs generated from other sources have their own drift tests next to the code they describe:
the canned-query list (tests/test_canned.py), the validate formats and exit codes
(tests/test_validate_cli.py) and the shapes table (tests/test_shapes.py).
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from sldkg.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS = REPO_ROOT / "docs"
README = REPO_ROOT / "README.md"
README_LIMIT = 8192
#: Fields that Settings.from_env deliberately does not read from the environment.
NOT_FROM_ENVIRONMENT = {"extra"}
#: Markdown files whose relative links must resolve.
MARKDOWN = sorted({README, *REPO_ROOT.glob("*.md"), *DOCS.glob("*.md"), *(REPO_ROOT / "benchmarks").glob("*.md")})


def settings_table() -> dict[str, tuple[str, str, str]]:
    """Rows of the table under "## Every setting" in docs/configuration.md: name -> (variable, default, meaning)."""
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert "\n## Every setting\n" in text, "docs/configuration.md lacks its section '## Every setting'"
    section = text.split("\n## Every setting\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, str, str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `(\w+)` \|(.*)\|$", line)
        if match:
            cells = [cell.strip() for cell in match.group(2).split("|")]
            assert len(cells) == 3, f"docs/configuration.md: a row needs 4 cells (no '|' inside a cell): {line}"
            assert match.group(1) not in rows, f"docs/configuration.md documents {match.group(1)} twice"
            rows[match.group(1)] = (cells[0], cells[1], cells[2])
    return rows


def default_of(name: str) -> object:
    return getattr(Settings(), name)


# -- configuration ------------------------------------------------------------------------------------


def test_every_setting_is_documented() -> None:
    undocumented = {f.name for f in fields(Settings)} - set(settings_table())
    assert not undocumented, f"add these Settings fields to the table in docs/configuration.md: {sorted(undocumented)}"


def test_no_documented_setting_is_stale() -> None:
    stale = set(settings_table()) - {f.name for f in fields(Settings)}
    assert not stale, f"docs/configuration.md documents settings that Settings does not have: {sorted(stale)}"


@pytest.mark.parametrize("name", [f.name for f in fields(Settings)])
def test_each_setting_names_its_environment_variable_and_meaning(name: str) -> None:
    row = settings_table().get(name)
    assert row, f"{name} is not in the table of docs/configuration.md"
    variable, _default, meaning = row
    if name in NOT_FROM_ENVIRONMENT:
        assert "not read from the environment" in variable
    else:
        assert variable == f"`SLDKG_{name.upper()}`"
    assert len(meaning) > 10, f"docs/configuration.md: say what {name} means"


def test_the_settings_not_read_from_the_environment_really_are_not() -> None:
    environ = {f"SLDKG_{name.upper()}": "from-the-environment" for name in NOT_FROM_ENVIRONMENT}
    settings = Settings.from_env(environ)
    assert all(getattr(settings, name) == default_of(name) for name in NOT_FROM_ENVIRONMENT)


@pytest.mark.parametrize(
    "name", [f.name for f in fields(Settings) if isinstance(default_of(f.name), (int, float, str)) or default_of(f.name) is None]
)
def test_documented_defaults_match_the_code(name: str) -> None:
    row = settings_table().get(name)
    assert row, f"{name} is not in the table of docs/configuration.md"
    _variable, documented, _meaning = row
    value = default_of(name)
    if value is None:
        assert documented.lower().startswith("none"), f"docs/configuration.md: the default of {name} is None, documented as {documented!r}"
    else:
        assert f"`{value}`" in documented, f"docs/configuration.md: the default of {name} is {value!r}, documented as {documented!r}"


# -- README -------------------------------------------------------------------------------------------


def test_the_readme_stays_short() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md has {size} bytes (limit {README_LIMIT}); move details into docs/"


def test_the_readme_has_the_set_up_commands_and_links_every_docs_file() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "`make serve`" in readme and "`make test`" in readme and ".venv/bin/sldkg" in readme
    linked = {target for _file, target in relative_links(README)}
    unlinked = {f"docs/{path.name}" for path in DOCS.glob("*.md")} - linked
    assert not unlinked, f"README.md does not link {sorted(unlinked)}"


# -- links --------------------------------------------------------------------------------------------


def relative_links(path: Path) -> list[tuple[Path, str]]:
    """(file, target) of every relative Markdown link in ``path``, outside code blocks and code spans."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    links = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text) + re.findall(r"^\[[^\]]+\]:\s+(\S+)", text, flags=re.MULTILINE)
    targets = [t.split("#", 1)[0].split("?", 1)[0] for t in links if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]
    return [(path, t) for t in targets if t]


def test_the_link_finder_finds_links_and_skips_code_and_urls(tmp_path: Path) -> None:
    md = tmp_path / "x.md"
    md.write_text(
        "[a](docs/a.md#part) [b](https://example.org/) `[c](c.md)` [d](#here)\n```\n[e](e.md)\n```\n[f]: ../f.md\n", encoding="utf-8"
    )
    assert [t for _f, t in relative_links(md)] == ["docs/a.md", "../f.md"]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_relative_link_points_at_an_existing_file(path: Path) -> None:
    broken = [target for _file, target in relative_links(path) if not (path.parent / target).exists()]
    assert not broken, f"{path.relative_to(REPO_ROOT)} links to missing files: {broken}"


def test_the_module_map_names_every_module_of_the_package() -> None:
    """docs/architecture.md's module map stays in step with the package (issue 10: a map a newcomer can trust)."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    package = REPO_ROOT / "server" / "sldkg"
    missing = []
    for module in sorted(package.rglob("*.py")):
        relative = module.relative_to(package)
        if "geodata" in relative.parts or module.name in ("__init__.py", "__main__.py"):
            continue
        folder = f"sldkg/{relative.parent.as_posix()}/" if relative.parent.parts else "sldkg/"
        if folder not in text or f"{module.name}" not in text:
            missing.append(relative.as_posix())
    assert not missing, f"docs/architecture.md's module map lacks: {missing}"
