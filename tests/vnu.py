"""The W3C Nu HTML checker (vnu.jar from npm), run once over a batch of pages: the JVM starts once per call, so
callers collect every page first (tests/integration/test_html_valid.py, tests/browser/test_journey_browser.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from portal.settings import PROJECT_ROOT

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECKER_TIMEOUT_S = 120
WHITESPACE = re.compile(r"\s+")
# A short-lived JVM: the quick compiler only, which starts the checker sooner; its code needs a deeper stack for
# the HTML schema (the checker's own advice is at least 512k).
JVM_OPTIONS = ("-Xss16m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


class CheckerUnavailable(RuntimeError):
    """The checker could not run or did not answer (missing java or jar, a crash): not a verdict on the pages."""


def describe(message: dict[str, Any], files: dict[str, str]) -> str:
    """One checker message as `<url> line N: message`, with the offending markup on the next line."""
    checked = message.get("url", "").removeprefix("file:")  # vnu names files `file:/tmp/…`
    url = files.get(checked, checked)
    line = f"{url} line {message.get('lastLine', '?')}: {message.get('message')}"
    if extract := message.get("extract"):
        line += "\n    " + WHITESPACE.sub(" ", extract)
    return line


def html_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors over `pages` ({what to call the page in a message: its HTML}), in one JVM run.

    The pages are written to `folder` first (the checker reads files); an empty batch is no run at all."""
    if not pages:
        return []
    java = shutil.which("java")
    if java is None:
        raise CheckerUnavailable("java is missing, so the HTML checker cannot run: `make browser-deps` installs it")
    if not VNU_JAR.exists():
        raise CheckerUnavailable(f"{VNU_JAR} is missing: `make setup` installs it (npm package vnu-jar)")
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[str(path)] = name
    checked = subprocess.run(
        [java, *JVM_OPTIONS, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=CHECKER_TIMEOUT_S,
    )
    try:
        messages = json.loads(checked.stderr or checked.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        raise CheckerUnavailable(
            f"the HTML checker did not answer in JSON (exit {checked.returncode}):\n{checked.stderr[-2000:]}"
        ) from error
    errors = [describe(message, files) for message in messages]
    if not errors and checked.returncode != 0:
        raise CheckerUnavailable(f"the HTML checker failed (exit {checked.returncode}):\n{checked.stderr[-2000:]}")
    return errors
