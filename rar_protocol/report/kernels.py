"""Warm kernels: a fresh Jupyter kernel per report, forked from a process that has done the imports.

Starting a Python kernel and importing pandas, matplotlib, seaborn, pandera and this package costs
more than a report's analyses. A *kernel server* process does those imports once (and loads the
run's reviews into memory); each report then gets its own kernel, forked from the server: a new
process with its own memory, so nothing one report does can reach another, but with no start-up
cost. The kernel speaks the ordinary Jupyter protocol, so papermill and nbclient drive it as any
other kernel. Where fork is not available the runner uses ordinary kernels.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

PROVISIONER_NAME = "rar-forked-kernel"

# Kernels forked for this process and not yet seen to exit. Each runs in its own session (so a
# Ctrl-C at the terminal does not reach it), which means an interrupted run must kill them itself.
_ACTIVE_KERNELS: set[int] = set()


def forking_supported() -> bool:
    """Whether kernels can be forked here (POSIX systems)."""
    return hasattr(os, "fork") and sys.platform != "win32"


# ---- the kernel server (runs in its own process) ---------------------------------------------


def _warm_up(config_paths: list[str]) -> None:
    """Import what reports use and load the run's reviews, so forked kernels inherit them ready."""
    import ipykernel.kernelapp  # noqa: F401
    import IPython  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import rar_protocol  # noqa: F401
    from rar_protocol.analyses.registry import REPORTS
    from rar_protocol.protocol import figures
    from rar_protocol.protocol.figures import figure_png
    from rar_protocol.report.context import cached_review

    for kind in REPORTS:
        kind.analysis()
    figures.apply_house_style()
    # Draw one chart so fonts and text layout are cached before any kernel is forked.
    figure, axes = figures._figure()
    axes.set_title("warm-up")
    figure_png(figure)
    for path in config_paths:
        try:
            cached_review(path)
        except Exception:  # a review that fails here fails visibly in its report instead
            pass


def _kernel_child(connection_file: str, cwd: str, environment: dict[str, str], log_path: str) -> None:
    """In the forked child: become a process of its own and run an IPython kernel."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(cwd)
    os.environ.update(environment)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # No history database: it costs start-up time and concurrent kernels would contend for it.
    app.initialize(["-f", connection_file, "--HistoryManager.enabled=False"])
    app.start()
    os._exit(0)


def serve(socket_path: str, config_paths: list[str], log_path: str) -> None:
    """The kernel server's loop: one JSON request per connection, answered with the forked kernel's pid."""
    _warm_up(config_paths)
    # Children are reaped automatically: the server never waits on them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    Path(socket_path + ".ready").write_text(str(os.getpid()))
    while True:
        connection, _ = listener.accept()
        with connection:
            request = json.loads(_receive(connection))
            if request.get("stop"):
                connection.sendall(b"{}")
                break
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                try:
                    _kernel_child(request["connection_file"], request["cwd"], request["env"], log_path)
                finally:
                    os._exit(1)
            connection.sendall(json.dumps({"pid": pid}).encode())
    listener.close()


def _receive(connection: socket.socket) -> str:
    chunks = []
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            break
    return b"".join(chunks).decode()


def _request(socket_path: str, message: dict[str, Any]) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(socket_path)
        client.sendall(json.dumps(message).encode() + b"\n")
        client.shutdown(socket.SHUT_WR)
        return json.loads(_receive(client) or "{}")


# ---- the client side: a provisioner and a kernel manager that use the server -----------------


class _ForkedProcess:
    """Enough of subprocess.Popen for jupyter_client to manage a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                # The server reaps its children, so a finished kernel's pid is simply gone.
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
                _ACTIVE_KERNELS.discard(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            self.returncode = 0

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedKernelProvisioner(LocalProvisioner):
    """Launches a kernel by asking the kernel server to fork one, instead of starting a process."""

    socket_path = Unicode(config=True, help="the kernel server's Unix socket")

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        connection_file = self.parent.connection_file
        environment = {key: value for key, value in (kwargs.get("env") or {}).items() if key.startswith(("JPY", "PYDEVD", "MPL", "RAR"))}
        reply = _request(self.socket_path, {"connection_file": connection_file, "cwd": str(kwargs.get("cwd") or os.getcwd()), "env": environment})
        self.process = _ForkedProcess(int(reply["pid"]))
        _ACTIVE_KERNELS.add(self.process.pid)
        self.pid = self.pgid = self.process.pid
        self.cwd = kwargs.get("cwd")
        return self.connection_info


def kernel_manager_class(socket_path: str) -> type[AsyncKernelManager]:
    """A kernel manager class whose kernels come from the kernel server at ``socket_path``."""

    class ForkedKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self) -> KernelSpec:
            spec = super().kernel_spec
            if spec is not None and spec.metadata.get("kernel_provisioner", {}).get("provisioner_name") != PROVISIONER_NAME:
                spec = KernelSpec(**{**spec.to_dict(), "metadata": {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME, "config": {"socket_path": socket_path}}}})
                self._kernel_spec = spec
            return spec

    return ForkedKernelManager


class KernelServer:
    """Start a kernel server for a run and stop it afterwards (a context manager)."""

    def __init__(self, config_paths: list[Path], log_path: Path, *, timeout: float = 60.0) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="rar-kernels-"))
        self.socket_path = str(self.folder / "server.sock")
        self.config_paths = [str(path) for path in config_paths]
        self.log_path = log_path
        self.timeout = timeout
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> KernelServer:
        arguments = [sys.executable, "-m", "rar_protocol.report.kernels", self.socket_path, str(self.log_path), *self.config_paths]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while not Path(self.socket_path + ".ready").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"the kernel server did not start (see {self.log_path})")
            time.sleep(0.02)
        return self

    def kill_kernels(self) -> None:
        """Kill every kernel still running (an interrupted run): each is its own session leader,
        so killing its process group also stops anything a report's code started."""
        for pid in list(_ACTIVE_KERNELS):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _ACTIVE_KERNELS.discard(pid)

    def __exit__(self, *exception: object) -> None:
        self.kill_kernels()
        if self.process is not None and self.process.poll() is None:
            try:
                _request(self.socket_path, {"stop": True})
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
                self.process.kill()
                self.process.wait()
        for path in self.folder.iterdir():
            path.unlink(missing_ok=True)
        self.folder.rmdir()

    @property
    def manager_class(self) -> type[AsyncKernelManager]:
        return kernel_manager_class(self.socket_path)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[3:], sys.argv[2])
