#!/usr/bin/env bash
# Debian packages the tests use: redis-server (scale-out), chromium (replay in a browser) and
# postgresql (the index on a PostgreSQL server; tests/postgres_server.py starts its own cluster,
# on its own port and directory, so the cluster Debian's package may start is left alone).
# Installs what is missing when run as root; otherwise says what to install.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
# Debian keeps initdb and postgres off PATH, in /usr/lib/postgresql/<major>/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "The tests need these Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "installing ${missing[*]} from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
