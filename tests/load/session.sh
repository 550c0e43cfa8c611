# Sourced by the load scripts. sign_in BASE DIR: signs in to the server at BASE as the
# demo's office administrator (its cookies kept in DIR) and sets `token` (a new API
# token), `auth` (its Authorization header) and `cookie` (the session's Cookie header).
sign_in() {
  local base=$1 dir=$2 login csrf
  login=$(curl -sf -c "$dir/cookies" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bacson-2024-demo"}' "$base/api/v1/auth/login")
  csrf=$(echo "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  token=$(curl -sf -b "$dir/cookies" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"load"}' "$base/api/v1/auth/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  auth="Authorization: Bearer $token"
  cookie="Cookie: nhiemvu_session=$(awk '$6 == "nhiemvu_session" {print $7}' "$dir/cookies")"
}
