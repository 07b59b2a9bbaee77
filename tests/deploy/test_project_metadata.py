"""The licence and the project's metadata."""

import hashlib
import tomllib

import pytest

from .environment import ROOT

pytestmark = pytest.mark.unit

# The GNU AGPL version 3 text as the FSF publishes it (661 lines), unchanged.
AGPL_3_SHA256 = "57c8ff33c9c0cfc3ef00e650a1cc910d7ee479a8bc509f6c9209a7c2a11399d6"


def test_the_licence_is_the_agpl_3_text_unchanged():
    text = (ROOT / "LICENSE").read_text()

    assert text.splitlines()[0].strip() == "GNU AFFERO GENERAL PUBLIC LICENSE"
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert hashlib.sha256(text.encode()).hexdigest() == AGPL_3_SHA256


def test_pyproject_says_what_the_project_is_and_under_which_licence():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert project["name"] == "petition"
    assert project["version"]
    assert project["description"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    assert project["requires-python"] == ">=3.11"
    assert (ROOT / project["readme"]).is_file()


def test_the_readme_names_the_licence():
    readme = (ROOT / "README.md").read_text()

    assert "## Licence" in readme and "GNU Affero General Public License, version 3 or later" in readme
