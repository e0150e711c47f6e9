"""pyproject.toml lists packages by hand (resources/ is mapped into the package), so a new
subpackage that is not listed would be missing from wheels and bundles. Catch that here."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "imr_desktop").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    assert "imr_desktop.resources" in listed
    assert (ROOT / "resources" / "samples" / "sample-determination.pdf").exists()
