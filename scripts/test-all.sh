#!/usr/bin/env bash
# The one test command (README): on a fresh Debian 12 + Node 20 machine, as root, installs what
# the tests need, builds, type-checks, lints, and runs every test tier that works offline inside a
# private network namespace that has only loopback (nothing can leave the machine; each run gets
# its own 127.0.0.1, so parallel runs cannot clash on ports).
set -euo pipefail
cd "$(dirname "$0")/.."

apt_needed=()
command -v turnserver >/dev/null 2>&1 || apt_needed+=(coturn)       # TURN interop and benchmarks
command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium)     # real-browser tests (playwright-core drives it)
[ -x /usr/sbin/nginx ] || apt_needed+=(nginx)                       # the deploy/nginx recipe in front of nodes
[ -x /usr/bin/caddy ] || apt_needed+=(caddy)                        # the deploy/caddy recipe in front of nodes
command -v openssl >/dev/null 2>&1 || apt_needed+=(openssl)         # a throwaway certificate for `nginx -t`
command -v systemd-analyze >/dev/null 2>&1 || apt_needed+=(systemd) # `systemd-analyze verify` of deploy/sigmesh.service
command -v ip >/dev/null 2>&1 || apt_needed+=(iproute2)             # `ip link set lo up` in the namespace
command -v unshare >/dev/null 2>&1 || apt_needed+=(util-linux)
if [ ${#apt_needed[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-all: missing Debian packages: ${apt_needed[*]} (run as root, or install them first)" >&2
    exit 1
  fi
  echo "test-all: installing ${apt_needed[*]}"
  apt-get update -qq
  # nginx and systemd would start services from their install scripts where an init system runs:
  # tests start their own nginx in a namespace, so forbid that for this install (policy-rc.d).
  policy_added=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  installed=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null || installed=$?
  [ -z "$policy_added" ] || rm -f /usr/sbin/policy-rc.d
  [ "$installed" -eq 0 ] || exit "$installed"
fi

# A node sizes its connection and TURN caps from its open-file limit and warns when the limit is
# below what the defaults need (12,320; docs/limits.md); test nodes fail on any warning. Raise the
# hard limit where it is lower (root may; Node lifts the soft limit to it by itself).
hard_nofile="$(ulimit -Hn)"
if [ "$hard_nofile" != unlimited ] && [ "$hard_nofile" -lt 65536 ]; then
  if ! ulimit -n 65536 2>/dev/null && [ "$hard_nofile" -lt 12320 ]; then
    echo "test-all: open-file limit $hard_nofile; tests need 12320 (ulimit -n)" >&2
  fi
fi

npm ci --no-audit --no-fund          # also builds (prepare)
# Lint runs beside the type check (each uses about a core); its output is shown when it ends.
lint_log="$(mktemp)"
npm run lint >"$lint_log" 2>&1 &
lint_pid=$!
typecheck_status=0
npm run typecheck || typecheck_status=$?
lint_status=0
wait "$lint_pid" || lint_status=$?
cat "$lint_log"
rm -f "$lint_log"
[ "$typecheck_status" -eq 0 ] || exit "$typecheck_status"
[ "$lint_status" -eq 0 ] || exit "$lint_status"

if unshare -n true 2>/dev/null; then
  unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs --tier unit --concurrency 2 && node scripts/run-tests.mjs --tier integration --tier interop --tier e2e'
else
  echo "test-all: cannot create a network namespace (not root?); running on the host loopback" >&2
  node scripts/run-tests.mjs --tier unit --concurrency 2
  node scripts/run-tests.mjs --tier integration --tier interop --tier e2e
fi
