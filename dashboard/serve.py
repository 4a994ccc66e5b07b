"""Run the dashboard as a Streamlit server (what ``ossdash serve`` calls)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from dashboard.config import DB_ENV

APP = Path(__file__).resolve().with_name("app.py")
# The directory holding the ``dashboard`` and ``warehouse`` packages: ``streamlit run`` puts only
# the script's own directory on sys.path, which is not enough when running from a checkout.
PROJECT_ROOT = APP.parent.parent
_STOP_GRACE_SECONDS = 10


def streamlit_command(
    db_path: str | os.PathLike[str], port: int, address: str = "127.0.0.1"
) -> list[str]:
    """The command line that serves the dashboard.

    ``db_path`` is not part of it: the app reads the path from ``OSSDASH_DB``, which
    :func:`child_environment` sets, so the same app works under a plain ``streamlit run``.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # A city's dashboard is for reading: no "Deploy" button or developer menu.
        "--client.toolbarMode",
        "viewer",
    ]


def child_environment(db_path: str | os.PathLike[str]) -> dict[str, str]:
    env = dict(os.environ)
    env[DB_ENV] = str(Path(db_path).expanduser().resolve())
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(PROJECT_ROOT) + (os.pathsep + path if path else "")
    return env


class PortBusy(OSError):
    """The address and port cannot be listened on (in use, or not this machine's)."""


def check_port(address: str, port: int) -> None:
    """Fail before anything is printed or started if the port cannot be had."""
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PortBusy(f"cannot listen on {address}:{port}: {exc.strerror}; give an address of this machine "
                       "with --address") from None
    family, _, _, _, sockaddr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by an earlier server is free to take.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(sockaddr)
        except OSError as exc:
            raise PortBusy(f"cannot listen on {address}:{port}: {exc.strerror or exc}; another program (or "
                           "another `ossdash serve`) uses it: choose another --port") from None


def serve(db_path: str | os.PathLike[str], port: int, address: str = "127.0.0.1") -> int:
    """Serve the dashboard until Streamlit exits or Ctrl-C is pressed; return the exit code.

    Raises PortBusy before printing anything when the port cannot be listened on.
    """
    check_port(address, port)
    env = child_environment(db_path)
    print(f"ossdash dashboard: http://{address}:{port}", flush=True)
    if not Path(env[DB_ENV]).is_file():
        print(
            f"note: {env[DB_ENV]} does not exist yet; create it with `ossdash demo --db {env[DB_ENV]}` "
            f"or `ossdash collect --db {env[DB_ENV]}`.",
            file=sys.stderr,
            flush=True,
        )
    child = subprocess.Popen(streamlit_command(env[DB_ENV], port, address), env=env)
    # A service manager stops us with SIGTERM, which only we receive: pass it on, or the server
    # would outlive us.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
    try:
        code = child.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the child too (same process group); let it shut down on its own.
        code = _stop(child)
    finally:
        signal.signal(signal.SIGTERM, previous)
    # A child killed by a signal reports -N; shells report 128 + N.
    return 128 - code if code < 0 else code


def _stop(child: subprocess.Popen[bytes]) -> int:
    try:
        return child.wait(timeout=_STOP_GRACE_SECONDS)
    except KeyboardInterrupt:
        pass  # a second Ctrl-C: stop waiting politely
    except subprocess.TimeoutExpired:
        pass
    child.send_signal(signal.SIGTERM)
    try:
        return child.wait(timeout=_STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()
