"""Dependencies point inward: the interview core stays pure, the diagram stays true."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.dialogs.machine import mermaid_diagram

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = (
    "telegram",
    "sqlalchemy",
    "alembic",
    "bot.store",
    "bot.telegram",
    "bot.config",
    "bot.console",
    "bot.render",
    "bot.travel",
    "os",
    "pathlib",
    "io",
    "sqlite3",
    "socket",
    "httpx",
    "aiohttp",
    "pydantic_settings",
    "subprocess",
    "shutil",
)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_dialogs_import_nothing_from_channels_storage_files_or_settings() -> None:
    files = sorted((ROOT / "bot" / "dialogs").glob("*.py"))
    assert files
    for path in files:
        for module in imported_modules(path):
            bad = [f for f in FORBIDDEN if module == f or module.startswith(f + ".")]
            assert not bad, f"{path.name} imports {module}"


def test_dialogs_read_no_environment_or_files() -> None:
    for path in (ROOT / "bot" / "dialogs").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in ("open(", "os.environ", "getenv", "datetime.now", "date.today"):
            assert call not in source, f"{path.name} uses {call}"


def test_committed_diagram_is_drawn_from_the_machine() -> None:
    committed = (ROOT / "docs" / "interview.md").read_text(encoding="utf-8")
    assert mermaid_diagram() in committed, "run: reisverslag diagram, and update docs/interview.md"


def _imports_of(folder_or_file: Path) -> list[tuple[str, str]]:
    """(file name, imported module) for every import in a file or a package's files."""
    paths = sorted(folder_or_file.glob("*.py")) if folder_or_file.is_dir() else [folder_or_file]
    assert paths
    return [(path.name, module) for path in paths for module in imported_modules(path)]


def _names(module: str, packages: tuple[str, ...]) -> bool:
    """Whether `module` is one of `packages` or inside one."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_the_service_layer_knows_no_channel() -> None:
    channels = ("telegram", "bot.telegram", "bot.console", "bot.mail", "aiosmtplib")
    for name, module in _imports_of(ROOT / "bot" / "service"):
        assert not _names(module, channels), f"bot/service/{name} imports {module}"


def test_channels_other_than_telegram_do_not_reach_into_telegram() -> None:
    for path in (ROOT / "bot" / "mail.py", ROOT / "bot" / "console.py"):
        for name, module in _imports_of(path):
            assert not _names(module, ("telegram", "bot.telegram")), f"{name} imports {module}"


def test_the_store_knows_neither_use_cases_nor_channels() -> None:
    outward = ("bot.service", "bot.telegram", "bot.console", "bot.mail", "telegram")
    for name, module in _imports_of(ROOT / "bot" / "store"):
        assert not _names(module, outward), f"bot/store/{name} imports {module}"
