#!/usr/bin/env python3
"""Fails when a dependency's licence would force a copyleft licence on the project.

Reads `cargo metadata`; a package passes when its licence expression offers at
least one permissive choice (an OR alternative) or is permissive throughout.
"""
import json
import re
import subprocess
import sys

PERMISSIVE = {
    "MIT", "MIT-0", "Apache-2.0", "Apache-2.0 WITH LLVM-exception", "BSD-2-Clause", "BSD-3-Clause", "ISC",
    "Zlib", "Unicode-3.0", "Unicode-DFS-2016", "CC0-1.0", "Unlicense", "BSL-1.0", "0BSD", "MPL-2.0",
    "OFL-1.1", "CDLA-Permissive-2.0", "bzip2-1.0.6", "NCSA",
}


def allowed(expr: str) -> bool:
    expr = expr.replace("/", " OR ")
    for alternative in re.split(r"\s+OR\s+", expr.strip("() ")):
        terms = [t.strip("() ") for t in re.split(r"\s+AND\s+", alternative)]
        if all(t in PERMISSIVE for t in terms):
            return True
    return False


def main() -> int:
    meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked"]))
    used = {n["id"] for n in meta["resolve"]["nodes"]}
    bad = []
    for p in meta["packages"]:
        if p["id"] not in used or p["source"] is None:
            continue
        lic = p.get("license")
        if not lic:
            if p.get("license_file"):
                continue
            bad.append(f"{p['name']} {p['version']}: no licence declared")
        elif not allowed(lic):
            bad.append(f"{p['name']} {p['version']}: {lic}")
    if bad:
        print("licence check failed; these dependencies are not permissively licensed:")
        print("\n".join("  " + b for b in sorted(bad)))
        return 1
    print(f"licence check: {len(used)} packages, all permissive")
    return 0


if __name__ == "__main__":
    sys.exit(main())
