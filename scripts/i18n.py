"""Catalogue chores, under one lock so that two people (or agents) never write a catalogue at once.

i18n.py update                  extract msgids, merge them into lv and en, fill en from the English msgids
i18n.py translate FILE.json     add Latvian translations: {"English msgid": "Latvian", ...};
                                plurals as {"singular msgid": ["one", "few", "many"]}
i18n.py missing                 list lv entries without a translation
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
BIN = ROOT / ".venv" / "bin"


def po_path(locale: str) -> Path:
    return LOCALES / locale / "LC_MESSAGES" / "messages.po"


@contextmanager
def locked() -> Iterator[None]:
    with open(LOCALES / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _read(locale: str):  # type: ignore[no-untyped-def]
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def _write(locale: str, catalog) -> None:  # type: ignore[no-untyped-def]
    with po_path(locale).open("wb") as f:
        write_po(
            f, catalog, width=0, omit_header=False, no_location=True, sort_output=True, ignore_obsolete=True
        )


def _run(*args: str) -> None:
    subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def update() -> None:
    extract()
    merge()


def extract() -> None:
    _run(
        str(BIN / "pybabel"),
        "extract",
        "-F",
        "locales/babel.cfg",
        "-o",
        str(POT),
        "--no-location",
        "--sort-output",
        "--project",
        "portal",
        "-k",
        "N_",
        "-k",
        "Np_:1,2",
        "-w",
        "0",
        # Babel skips folders that start with "_" by default; templates/_fragments must be read too.
        "--ignore-dirs",
        ".* node_modules",
        ".",
    )


def merge() -> None:
    with POT.open("rb") as f:
        template = read_po(f)
    for locale in ("lv", "en"):
        catalog = _read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        _write(locale, catalog)
    en = _read("en")
    for message in en:
        if message.id:
            # English msgids are the English text; the en catalogue states that explicitly.
            message.string = message.id
            message.flags.discard("fuzzy")
    _write("en", en)
    compile_all()


def compile_all() -> None:
    for locale in ("lv", "en"):
        _run(
            str(BIN / "pybabel"),
            "compile",
            "-i",
            str(po_path(locale)),
            "-o",
            str(po_path(locale).with_suffix(".mo")),
        )


def translate(path: str) -> None:
    pairs = json.loads(Path(path).read_text())
    lv = _read("lv")
    unknown = []
    for msgid, text in pairs.items():
        message = next(
            (m for m in lv if m.id == msgid or (isinstance(m.id, tuple) and m.id[0] == msgid)), None
        )
        if message is None:
            unknown.append(msgid)
            continue
        message.string = tuple(text) if isinstance(message.id, tuple) else text
        message.flags.discard("fuzzy")
    _write("lv", lv)
    compile_all()
    for msgid in unknown:
        print(f"not in the catalogue (run `update` first?): {msgid}", file=sys.stderr)


def missing() -> list[str]:
    lv = _read("lv")
    return [
        m.id if isinstance(m.id, str) else m.id[0]
        for m in lv
        if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
    ]


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    with locked():
        if command == "update":
            update()
        elif command == "extract":
            extract()
        elif command == "compile":
            compile_all()
        elif command == "translate" and len(sys.argv) == 3:
            translate(sys.argv[2])
        elif command == "missing":
            print(json.dumps(missing(), ensure_ascii=False, indent=1))
        else:
            print(__doc__)
            sys.exit(2)
