"""A plugin process as the engine runs one: started, its port read from the first line it prints, a gRPC channel to
it, and ended at once. Shared by the policy pack's and the component package's harnesses.

pulumi/pulumi (read at 1b5949891b) ``sdk/go/common/resource/plugin/plugin.go``: ``newPlugin`` reads stdout up to
the first newline, and a plugin that exits first is reported with its exit status; ``parsePort`` trims whitespace and
takes a port from 1 to 65535; after the port, stdout keeps being read (``runtrace``), so a chatty plugin never blocks
on a full pipe.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import grpc

STDERR_TAIL: Final = 4000
"""How much of a plugin's stderr an error quotes (its end)."""


def plugin_environment(package_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a Python plugin of this checkout runs with: unbuffered output (the engine's launchers run
    ``python -u``; the SDK prints the port without a flush) and this checkout's ``hybrid_terway`` first on the path,
    whatever the interpreter has installed."""
    path = os.pathsep.join(p for p in (str(package_dir), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, **(extra or {}), "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}


def kill(process: subprocess.Popen[bytes] | None) -> None:
    """End a plugin process at once and reap it; None is fine."""
    if process is None:
        return
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


class Plugin:
    """One plugin process. ``noun`` names it in errors ("pack", "plugin"); ``error`` builds the harness's own
    exception from a message that already ends with the plugin's stderr."""

    def __init__(
        self,
        command: Sequence[str],
        cwd: Path,
        env: Mapping[str, str],
        *,
        noun: str,
        error: Callable[[str], Exception],
        startup_timeout: float,
        channel_options: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.command, self.cwd, self.env = list(command), cwd, dict(env)
        self.noun = noun
        self._make_error = error
        self.startup_timeout = startup_timeout
        self.channel_options = list(channel_options)
        self.port: int | None = None
        self.channel: grpc.Channel | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._stdout: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: list[bytes] = []
        self._threads: list[threading.Thread] = []

    @property
    def started(self) -> bool:
        return self._process is not None

    def spawn(self) -> None:
        """Start the process without waiting for it (it boots while the caller works)."""
        if self._process is not None:
            return
        try:
            self._process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise self._make_error(f"cannot start {' '.join(self.command)} in {self.cwd}: {exc}") from exc
        stdout, stderr = self._process.stdout, self._process.stderr
        assert stdout is not None and stderr is not None

        def pump_stdout() -> None:
            for line in iter(stdout.readline, b""):
                self._stdout.put(line)
            self._stdout.put(None)

        def pump_stderr() -> None:
            for chunk in iter(lambda: os.read(stderr.fileno(), 65536), b""):
                self._stderr.append(chunk)

        for target in (pump_stdout, pump_stderr):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def connect(self) -> grpc.Channel:
        """Start the process if needed, read its port and open a channel that is ready."""
        if self.channel is not None:
            return self.channel
        self.spawn()
        process = self._process
        assert process is not None
        try:
            first = self._stdout.get(timeout=self.startup_timeout)
        except queue.Empty:
            raise self.error(f"the {self.noun} printed no port within {self.startup_timeout:.0f}s") from None
        if first is None:
            process.wait(timeout=10)
            for thread in self._threads:  # the pumps end at EOF: what it wrote is all in before it is reported
                thread.join(timeout=5)
            raise self.error(f"the {self.noun} exited (code {process.returncode}) before printing its port")
        try:
            port = int(first.strip())
        except ValueError:
            port = 0
        if not 0 < port <= 65535:
            raise self.error(f"the {self.noun}'s first output line is not a port: {first[:200]!r}")
        self.port = port
        channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=self.channel_options)
        try:
            grpc.channel_ready_future(channel).result(timeout=self.startup_timeout)
        except grpc.FutureTimeoutError:
            channel.close()
            raise self.error(f"no gRPC connection to port {port}") from None
        self.channel = channel
        return channel

    def stop(self) -> None:
        """Kill the process and close the channel (always safe to call)."""
        # The process goes first: closing a channel whose peer is still up waits ~0.2 s on gRPC's pollers.
        process, self._process = self._process, None
        kill(process)
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []

    def stderr(self) -> str:
        return b"".join(self._stderr).decode(errors="replace")

    def error(self, message: str) -> Exception:
        """The harness's exception for ``message``, ending with the end of the plugin's stderr."""
        tail = self.stderr()[-STDERR_TAIL:].rstrip()
        return self._make_error(f"{message}\n--- {self.noun} stderr ---\n{tail or '(empty)'}")
