"""A throw-away JupyterLab server for the browser tests: 127.0.0.1 only, a free port, no token,
fast mode, its own settings and workspace folders, notebooks copied into a temporary root (so Run All
never writes outputs into the repository)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


# Every cell stays in the page (JupyterLab 4 otherwise drops cells scrolled out of view), and no
# news pop-up covers the notebook.
SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    def __init__(self, root: Path, *, log: Path, startup_timeout: float = 120.0):
        self.root, self.port = Path(root), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        state = self.root.parent / "lab-state"
        for plugin, values in SETTINGS.items():  # user settings, in this server's own settings folder
            path = state / "settings" / (plugin.replace(":", "/") + ".jupyterlab-settings")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = dict(os.environ, GENIMG_FAST="1", OMP_NUM_THREADS="1", JUPYTER_RUNTIME_DIR=str(state / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(state / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"))
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
                   "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.news_url=None"]
        if hasattr(os, "getuid") and os.getuid() == 0:
            command.append("--allow-root")
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}; see {log}")
            try:
                urllib.request.urlopen(f"{self.url}/api/status", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"JupyterLab did not start within {startup_timeout:.0f} s; see {log}")
                time.sleep(0.5)

    def shut_down_kernels(self) -> None:
        """Stop every kernel (one notebook's kernel must not keep a core busy during the next test)."""
        for session in json.loads(urllib.request.urlopen(f"{self.url}/api/sessions", timeout=10).read()):
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).read()

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
