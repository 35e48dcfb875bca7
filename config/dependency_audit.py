"""`make audit`: pip-audit over the pinned requirements.txt, honest about whether it could check anything.

pip-audit reports a package it could not look up as skipped and still prints "No known vulnerabilities
found"; when the advisory service cannot be reached at all (no network, a registry mirror without the JSON
API) every package is skipped. Then this says so and exits 0, so CI never fails for lack of network; a
known vulnerability exits 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"
UNREACHABLE = "make audit: advisory data ({service}) could not be reached from this machine; nothing was checked."


def main() -> int:
    service = os.environ.get("AUDIT_SERVICE", "pypi")  # or "osv"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "-r", str(REQUIREMENTS), "--no-deps", "--disable-pip"]
        cmd += ["--progress-spinner", "off", "-s", service, "-f", "json", "-o", str(report)]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if not report.exists():
            print(UNREACHABLE.format(service=service))
            last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
            print(f"  pip-audit said: {last}")
            return 0
        data = json.loads(report.read_text() or "{}")
    deps = data.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    vulnerable = [d for d in deps if d.get("vulns")]
    if deps and len(skipped) == len(deps):
        print(UNREACHABLE.format(service=service))
        print(f"  all {len(deps)} pinned packages were skipped, e.g. {skipped[0]['skip_reason']}")
        return 0
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(deps) - len(skipped)
    print(
        f"make audit: {audited} pinned packages audited, {len(vulnerable)} with known vulnerabilities"
        + (f", {len(skipped)} could not be looked up" if skipped else "")
        + "."
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
