"""The Solara front-end files are installed locally, so the app works without internet.

scripts/solara_offline_assets.py (run by scripts/bootstrap.sh) unpacks them into solara's
CDN cache dir; without them the app's page stays blank offline. Outside CI a machine that
never ran the bootstrap skips this test; in CI (CI=true) missing assets are a failure, and
a partial set fails everywhere.
"""

import importlib.util
import os
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "solara_offline_assets.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("solara_offline_assets", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_solara_cdn_packages_are_installed_locally():
    assets = _load_script()
    root = assets.cache_dir()
    # solara creates the (empty) directory when imported, so "absent" means none of the packages
    if not any((root / spec).exists() for spec in assets.PACKAGES):
        message = f"no offline solara assets in {root}: run scripts/bootstrap.sh (or make venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    problems = []
    for spec in assets.PACKAGES:
        folder = root / spec
        if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
            problems.append(f"{spec}: no files in {folder}")
        else:
            problems += [f"{spec}: missing {name}" for name in assets.missing_files(root, spec)]
    assert not problems, "solara offline assets incomplete (run scripts/bootstrap.sh):\n" + "\n".join(problems)


def test_package_list_covers_what_solara_requests():
    # a solara upgrade that changes a CDN URL must show up here, not as a blank page offline
    assets = _load_script()
    assert assets.unlisted_cdn_specs() == set()
