"""Shared fixtures: the app built from the repository's data, a test client, a CLI runner, and a
real server process on a free local port (127.0.0.1 only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import hypothesis
import pytest
import requests
from click.testing import CliRunner
from repo_paths import REPO_ROOT

from sldkg.app import create_app
from sldkg.settings import Settings

# In CI the property tests run the same examples every time (a red build must be reproducible);
# on developers' machines they keep exploring new ones.
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env({}, query_timeout=5.0, executors=2)


@pytest.fixture(scope="session")
def app(settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["sldkg"].backend.close()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A ``sldkg serve`` process; ``url`` is its base URL (ends with a slash)."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, wait: float = 30.0, cwd: Path = REPO_ROOT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        cmd = [sys.executable, "-m", "sldkg.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port), *args]
        self.log = Path(os.environ.get("TMPDIR", "/tmp")) / f"sldkg-server-{self.port}.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(cmd, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if requests.get(self.url + "healthz", timeout=1).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not answer within {wait} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def live_server():
    """One real server on the repository's data for the whole session."""
    server = LiveServer(env={"SLDKG_QUERY_TIMEOUT": "3"})
    yield server
    server.stop()
