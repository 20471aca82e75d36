"""`python -m sandbox.agencies --port 8020`: the sandbox as its own process."""

import argparse
import os
import sys

parser = argparse.ArgumentParser(prog="sandbox.agencies")
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8020)
args = parser.parse_args()
os.execv(
    sys.executable,
    [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        "sandbox.agencies.app:create_sandbox",
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--workers",
        "1",
        "--no-ws",
        "--log-level",
        "warning",
    ],
)
