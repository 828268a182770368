#!/usr/bin/env bash
# Before the tests: the Excel workbook test opens exported workbooks in Debian's LibreOffice Calc
# (libreoffice --headless --convert-to xlsx). Install it where we can (root with apt-get); otherwise
# stop at once with one line saying what to install.
set -euo pipefail
command -v libreoffice >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing Debian's libreoffice-calc for the Excel workbook tests (apt-get install libreoffice-calc)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
  exit 0
fi
echo "make test: the Excel workbook tests need LibreOffice Calc (libreoffice on the PATH): install it (Debian: sudo apt-get install -y --no-install-recommends libreoffice-calc), then run make test again" >&2
exit 1
