#!/usr/bin/env bash
# Install the Debian packages the test suite needs, when they are missing: `make test` runs this first.
#
# The web form's browser tests drive Debian's headless Chromium through Debian's chromedriver
# and need fonts for every script we ship; GOV.UK Frontend and axe-core come from npm. No test
# tool downloads a browser of its own.
#
# As root (a fresh machine, CI) it runs `apt-get update` once and one `apt-get install`.
# As anyone else it stops at once, naming the one command to run. With --dry-run it prints
# the commands it would run instead of running them. It uses only bash builtins, `id` and
# `apt-get`, so a test can run it with a PATH that hides the tools it looks for.
set -euo pipefail

dry_run=false
case "${1:-}" in
  --dry-run) dry_run=true ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

# fonts-noto-core has no command to look for; a test points this at a folder that is not there.
noto_dir="${SETUP_NOTO_DIR:-/usr/share/fonts/truetype/noto}"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ -d "$noto_dir" ] || missing+=(fonts-noto-core)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

# Waits for an unattended upgrade holding the dpkg lock, as on a machine just booted, instead of failing.
install=(apt-get install -y -o DPkg::Lock::Timeout=600 "${missing[@]}")
one_command="sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive ${install[*]}'"

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: the tests need ${missing[*]}, and this is not a Debian system with apt-get:" >&2
  echo "setup: install Chromium, chromedriver, the Noto fonts and Node.js with npm, then run make test again." >&2
  exit 1
fi

if [ "$(id -u)" != 0 ]; then
  echo "setup: the tests need Debian packages that are missing: ${missing[*]}" >&2
  echo "setup: run this once, then make test again:" >&2
  echo "  $one_command" >&2
  exit 1
fi

if $dry_run; then
  echo "apt-get update"
  echo "DEBIAN_FRONTEND=noninteractive ${install[*]}"
  exit 0
fi

echo "setup: installing ${missing[*]} from Debian" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive "${install[@]}"
