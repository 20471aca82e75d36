"""Every page of the inventory is valid HTML, in Latvian and English, by the W3C Nu checker (vnu.jar).

Valid markup is what assistive technology relies on (duplicate ids, misnested elements and broken ARIA
references are read out wrong). All pages go to one checker run: the JVM starts once.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from a11y.inventory import LANGUAGES, load_inventory
from portal.settings import PROJECT_ROOT
from tests.integration.test_activity_page import rasma_after_ilze_read_her_data
from tests.integration.test_assistant import open_client, staff_sign_in
from tests.integration.test_sign_in import sign_in

ILZE, RASMA = "220470-16382", "011245-11123"

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHECKER_TIMEOUT_S = 120
WHITESPACE = re.compile(r"\s+")


def describe(message: dict[str, Any], files: dict[str, str]) -> str:
    """One checker message as `<url> line N: message`, with the offending markup on the next line."""
    checked = message.get("url", "").removeprefix("file:")  # vnu names files `file:/tmp/…`
    url = files.get(checked, checked)
    line = f"{url} line {message.get('lastLine', '?')}: {message.get('message')}"
    if extract := message.get("extract"):
        line += "\n    " + WHITESPACE.sub(" ", extract)
    return line


def _act_for_rasma(client: TestClient[Litestar]) -> None:
    sign_in(client, personal_code=ILZE)
    page = client.get("/representation").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    rasma = re.search(r'name="person" value="([0-9a-f-]{36})">\s*<button[^>]*>[^<]*Rasma', page)
    assert token and rasma, "Ilze's representation page offers to act for Rasma"
    client.post("/representation/acting-for", data={"_csrf_token": token.group(1), "person": rasma.group(1)})


# What each inventory setup step means for a test client (the browser tier has its own, in tests/browser).
SETUPS: dict[str, Callable[[TestClient[Litestar]], Any]] = {
    "signed-in-janis": sign_in,
    "signed-in-ilze": partial(sign_in, personal_code=ILZE),
    "signed-in-rasma-high": partial(sign_in, personal_code=RASMA, acr="high"),
    "ilze-acting-for-rasma": _act_for_rasma,
    "rasma-after-ilze-read-her-data": rasma_after_ilze_read_her_data,
    "staff-inese": staff_sign_in,
    "staff-inese-with-client": lambda client: (staff_sign_in(client), open_client(client)),
}


@pytest.fixture
def client(live_client: TestClient[Litestar]) -> TestClient[Litestar]:
    return live_client


def test_every_inventory_page_is_valid_html(client: TestClient[Litestar], tmp_path: Path) -> None:
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing, so the HTML checker cannot run: `make browser-deps` installs it")
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: `make setup` installs it (npm package vnu-jar)"

    files: dict[str, str] = {}
    for language in LANGUAGES:
        for entry in load_inventory().entries:
            client.cookies.clear()  # the language comes from the URL alone, never from an earlier cookie
            if entry.setup:
                SETUPS[entry.setup](client)
            url = entry.url(language)
            response = client.get(url)
            assert response.status_code == entry.status, f"{url}: HTTP {response.status_code}"
            assert f'<html lang="{language}">' in response.text, f"{url} is not marked as {language}"
            path = tmp_path / f"{entry.name}.{language}.html"
            path.write_text(response.text, encoding="utf-8")
            files[str(path)] = url

    checked = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=CHECKER_TIMEOUT_S,
    )
    try:
        messages = json.loads(checked.stderr or checked.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"the HTML checker did not answer in JSON (exit {checked.returncode}):\n{checked.stderr[-2000:]}")
    errors = [describe(message, files) for message in messages]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
    assert checked.returncode == 0, f"the HTML checker failed (exit {checked.returncode}):\n{checked.stderr[-2000:]}"
