"""Settings: defaults, SLDKG_* environment overrides and explicit overrides, with clear errors."""

from pathlib import Path

import pytest
from repo_paths import REPO_ROOT

from sldkg.settings import Settings


def test_defaults_load_the_repository():
    settings = Settings.from_env({})
    assert settings.data_paths == (REPO_ROOT / "ontology", REPO_ROOT / "data")
    assert settings.query_timeout == 10.0
    assert settings.host == "127.0.0.1"


def test_environment_then_explicit_overrides():
    env = {"SLDKG_QUERY_TIMEOUT": "2.5", "SLDKG_PORT": "9000", "SLDKG_DATA_PATHS": "/a:/b", "SLDKG_STORE_URL": ""}
    settings = Settings.from_env(env, port=9100, host=None)
    assert settings.query_timeout == 2.5
    assert settings.port == 9100  # explicit beats environment
    assert settings.host == "127.0.0.1"  # None means "not given"
    assert settings.data_paths == (Path("/a"), Path("/b"))
    assert settings.store_url is None


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(ValueError, match="SLDKG_QUERY_TIMEOUT='soon'"):
        Settings.from_env({"SLDKG_QUERY_TIMEOUT": "soon"})
