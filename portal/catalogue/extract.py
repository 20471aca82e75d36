"""A Babel extraction method for forms/*.yaml: every text a definition shows is an English msgid.

Wired in locales/babel.cfg as `[portal.catalogue.extract:extract_forms: forms/**.yaml]`, so that
`scripts/i18n.py update` puts the definitions' texts into locales/messages.pot next to the code's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from portal.catalogue.yaml_source import compose

# The keys whose values people read; everything else (names, values, sources) is not translated.
TEXT_KEYS = frozenset({"title", "summary", "label", "hint", "declaration", "what_next", "add_label"})
STRING_TAG = "tag:yaml.org,2002:str"


def texts(node: yaml.Node | None) -> Iterator[tuple[int, str]]:
    """(1-based line, text) of every translatable text under `node`, in document order."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in TEXT_KEYS and isinstance(value, yaml.ScalarNode):
                if value.tag == STRING_TAG and value.value.strip():
                    yield value.start_mark.line + 1, value.value
            else:
                yield from texts(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from texts(item)


def extract_forms(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extraction-method interface: (line, function name, message, comments)."""
    encoding = str(options.get("encoding", "utf-8"))
    node = compose(fileobj.read().decode(encoding))
    for line, text in texts(node):
        yield line, None, text, []
