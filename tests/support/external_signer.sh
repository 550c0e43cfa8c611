#!/usr/bin/env bash
# Plays a USB-token tool or a remote signing service in the signing hand-off:
# fetches what to sign from the one-time URL, signs it with openssl cms (detached
# SignedData, SHA-256) and a PKCS#12 key, and posts the signature to the return URL.
# Usage: external_signer.sh HANDOFF_URL KEY.p12 PASSPHRASE
# (HANDOFF_URL: the server's address followed by prepare's handoff_url)
set -euo pipefail
url=$1; p12=$2; pass=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if ! curl -sS --fail-with-body "$url" > "$work/handoff.json"; then cat "$work/handoff.json"; exit 1; fi
python3 - "$work" <<'PY'
import base64, json, sys
work = sys.argv[1]
handoff = json.load(open(f"{work}/handoff.json"))
open(f"{work}/content", "wb").write(base64.b64decode(handoff["content_base64"]))
open(f"{work}/return", "w").write(handoff["return_url"])
print(f"signing for {handoff['signer']}: {handoff['document']}", file=sys.stderr)
PY
openssl pkcs12 -in "$p12" -passin "pass:$pass" -nokeys -clcerts -out "$work/cert.pem"
openssl pkcs12 -in "$p12" -passin "pass:$pass" -nocerts -nodes -out "$work/key.pem"
openssl cms -sign -binary -md sha256 -in "$work/content" -signer "$work/cert.pem" -inkey "$work/key.pem" \
  -outform DER -out "$work/signature.der"
python3 -c 'import base64, json, sys; print(json.dumps({"signature": base64.b64encode(open(sys.argv[1], "rb").read()).decode()}))' \
  "$work/signature.der" > "$work/body.json"
base=${url%%/api/v1/*}
curl -sS --fail-with-body -X POST -H "Content-Type: application/json" --data-binary "@$work/body.json" \
  "$base$(cat "$work/return")"
