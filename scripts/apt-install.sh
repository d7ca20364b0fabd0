#!/usr/bin/env bash
# Installs the named Debian packages that are missing, and nothing else.
# Runs "apt-get update" only when something must be installed, so a
# second run on a ready machine takes well under a second.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 PACKAGE..." >&2
	exit 2
fi

missing=()
for pkg in "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	sudo=(sudo)
fi

echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
# No recommends: docker-compose recommends the whole docker.io engine,
# which nothing here runs.
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
