#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when they are missing (the browser tests need
# them; CI runs as root). Never downloads a browser build from anywhere else.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-chromium: /usr/bin/chromium or /usr/bin/chromedriver missing; run 'sudo apt-get install chromium chromium-driver'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium chromium-driver >/dev/null
