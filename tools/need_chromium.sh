#!/usr/bin/env bash
# Before the tests: the browser tests need Debian's Chromium at /usr/bin/chromium. Install it where
# we can (root with apt-get); otherwise stop at once with one line saying what to install.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing Debian's chromium for the browser tests (apt-get install chromium)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "make test: the browser tests need Chromium at /usr/bin/chromium: install it (Debian: sudo apt-get install -y chromium), then run make test again" >&2
exit 1
