"""The repository tests anywhere: no file points at a folder beside the clone.

Schema contracts, seeds and notes the project relies on are copied into the
repository (e.g. ``tests/db/schema_contract.json``).  A tracked file naming
the sibling folder they came from, or the environment variable that used to
locate it, would make a fresh clone fail, so it fails here first.

The needles are assembled from pieces, so this file never matches itself.
"""

from __future__ import annotations

import os
from pathlib import Path
import re
import shutil
import subprocess

ROOT = Path(__file__).resolve().parents[1]
_WORD = "sha" + "red"
_ENV = "HMM_" + _WORD.upper() + "_DIR"
# Folders a walk skips when git is not available (never tracked).
_SKIP_DIRS = {".git", ".venv", "config", "__pycache__", ".mypy_cache", ".ruff_cache"}
_SKIP_DIRS |= {".pytest_cache", ".hypothesis", "htmlcov", "node_modules"}

NEEDLES = re.compile(
    "|".join(
        (
            # ../x, ..\x, /work/x (any absolute path ending in the folder)
            rf"\.\.[/\\]{_WORD}\b",
            rf"/{_WORD}(?:[/\\]|$)",
            # x/seeds, x/docs... as a relative path: "x/" not inside a word
            rf"(?<![\w.\-]){_WORD}[/\\]",
            # Path(...) / "x" or parents[3] / 'x'
            rf"[\"']{_WORD}[\"']",
            re.escape(_ENV),
        )
    ),
    re.IGNORECASE | re.MULTILINE,
)


def _tracked_files() -> list[Path]:
    """Every file git tracks; a walk of the tree when git or .git is missing."""
    git = shutil.which("git")
    if git and (ROOT / ".git").exists():
        listed = subprocess.run(
            [git, "ls-files", "-z"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        return [ROOT / name for name in os.fsdecode(listed).split("\0") if name]
    found: list[Path] = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [name for name in dirs if name not in _SKIP_DIRS]
        found.extend(Path(folder) / name for name in files)
    return found


def test_needles_catch_the_old_spellings() -> None:
    """Guard the pattern: every way the old tests located the folder is caught."""
    bad = [
        f"SEED = Path('..') / '{_WORD}' / 'seeds'",
        f'Path(__file__).resolve().parents[3] / "{_WORD}"',
        f"read ../{_WORD}/docs/schema-notes.md",
        f"cp /work/{_WORD}/seeds/x.txt .",
        f"see {_WORD}/docs/style.md",
        f"os.environ.get('{_ENV}')",
    ]
    good = [
        "2 shared cores",
        "HTTP transport shared by the drivers",
        "a shared_session helper",
        "tests/db/schema_contract.json",
    ]
    assert [line for line in bad if not NEEDLES.search(line)] == []
    assert [line for line in good if NEEDLES.search(line)] == []


def test_no_file_points_outside_the_repository() -> None:
    """No tracked file names the sibling folder or its environment variable."""
    files = _tracked_files()
    assert len(files) > 50, "file listing failed"
    offenders: list[str] = []
    for path in files:
        try:
            content = path.read_bytes().decode("utf-8", errors="ignore")
        except (FileNotFoundError, IsADirectoryError):
            continue  # deleted in the work tree, or a submodule folder
        for match in NEEDLES.finditer(content):
            line = content.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r}")
    assert offenders == []
