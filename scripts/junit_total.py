"""Prints one line, `total: N passed, N failed, N skipped`, summed over pytest's JUnit XML files."""

import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()  # noqa: S314
    except (OSError, ET.ParseError):
        continue
    for suite in root.iter("testsuite"):
        tests, errors = int(suite.get("tests", 0)), int(suite.get("errors", 0))
        fails, skips = int(suite.get("failures", 0)), int(suite.get("skipped", 0))
        failed += fails + errors
        skipped += skips
        passed += tests - fails - errors - skips
print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
