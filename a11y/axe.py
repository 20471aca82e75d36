"""The one axe-core rule set for every automated accessibility check in the project.

WCAG 2.0/2.1 A and AA cover the rules axe tags `EN-301-549` (the standard Latvian law points to); `wcag22aa`
adds target size; best practices catch what WCAG leaves to judgement (landmarks, one h1, …). Any check that
runs axe takes its options from here, so a change of rules is one change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
# What `axe.run(document, AXE_OPTIONS)` receives. Passes are left out of the result: we never read them.
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
    "resultTypes": ["violations", "incomplete"],
}


def describe(results: list[dict[str, Any]], *, limit: int = 5) -> str:
    """axe results (violations or incomplete) as readable lines: rule, impact, help, and where."""
    lines = []
    for result in results:
        lines.append(f"- {result['id']} ({result.get('impact') or 'n/a'}): {result['help']} <{result['helpUrl']}>")
        nodes = result.get("nodes", [])
        for node in nodes[:limit]:
            target = " ".join(" >> ".join(part) if isinstance(part, list) else str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}" + (f": {summary}" if summary else ""))
        if len(nodes) > limit:
            lines.append(f"    … and {len(nodes) - limit} more")
    return "\n".join(lines)
