#!/usr/bin/env bash
# Installs Debian's nginx-light for the integration test of mlflow-common's read-only
# front (test-integration/mlflow-read-proxy.test.ts); does nothing when nginx is there.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "nginx-setup: nginx is missing; install Debian's nginx-light (apt-get install nginx-light) or set NGINX_BIN" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends nginx-light >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends nginx-light >/dev/null; }
echo "nginx-setup: installed $(/usr/sbin/nginx -v 2>&1)"
