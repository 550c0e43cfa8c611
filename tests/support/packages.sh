#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only when missing.
# Usage: packages.sh PACKAGE:COMMAND ... (COMMAND is what proves the package present)
set -euo pipefail
missing=()
for spec in "$@"; do
  pkg=${spec%%:*}; probe=${spec#*:}
  if ! command -v "$probe" >/dev/null 2>&1 && ! ls $probe >/dev/null 2>&1; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
