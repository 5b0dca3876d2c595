#!/usr/bin/env bash
# Debian packages the tests use: a real sshd (SSH hosts), sudo (sudo -n over SSH),
# iproute2 (ss, for the ports plugin), Chromium (the UI tests), Docker (host.dial() to its API
# and the docker plugin; busybox-static fills its test image, as no registry is reachable),
# and systemd-nspawn with debootstrap (a booted systemd for the services plugin).
# Needs root.
set -euo pipefail
packages=(openssh-server openssh-client sudo iproute2 chromium docker.io busybox-static systemd-container debootstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}. Run as root (or: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
