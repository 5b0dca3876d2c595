#!/usr/bin/env bash
# Installs Aura from this checkout as a sandboxed systemd service (systemd/README.md):
#   sudo ./systemd/install.sh [--port 7070]       install, or bring an installation up to date
#   sudo ./systemd/install.sh --nginx panel.example.org [--tls-port 443] [--http-port 80]
#                                                   the same, behind Nginx with TLS
#   sudo ./systemd/install.sh --uninstall [--purge]
# Ubuntu 22.04/24.04, Debian 12, and WSL2 with systemd on. Run it again at any time: it changes
# only what differs, and says so.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/aura
ETC=/etc/aura
DATA=/var/lib/aura
USER_NAME=aura
UNIT=/etc/systemd/system/aura.service
RULES=/etc/polkit-1/rules.d/50-aura.rules
DROPIN=/etc/systemd/system/aura.service.d/50-deploy-folders.conf
BACKUPS=/var/backups/aura
port=7070
nginx_host=""
tls_port=443
http_port=80
mode=install
purge=no
changed=()

say() { printf '%s\n' "$*"; }
die() {
  printf 'install.sh: %s\n' "$*" >&2
  exit 1
}
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --port)
      [[ "${2:-}" =~ ^[0-9]{1,5}$ ]] && [ "$2" -le 65535 ] || die "--port takes a port number"
      port="$2"
      shift
      ;;
    --nginx)
      [[ "${2:-}" =~ ^[A-Za-z0-9]([A-Za-z0-9-]{0,62}\.)*[A-Za-z0-9-]{1,63}$ ]] || die "--nginx takes a host name, like panel.example.org"
      nginx_host="$2"
      shift
      ;;
    --tls-port | --http-port)
      [[ "${2:-}" =~ ^[0-9]{1,5}$ ]] && [ "$2" -le 65535 ] || die "$1 takes a port number"
      if [ "$1" = --tls-port ]; then tls_port="$2"; else http_port="$2"; fi
      shift
      ;;
    --uninstall) mode=uninstall ;;
    --purge) purge=yes ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown option: $1"
      ;;
  esac
  shift
done
[ "$purge" = no ] || [ "$mode" = uninstall ] || die "--purge goes with --uninstall"

[ "$(id -u)" -eq 0 ] || die "run it as root: sudo $0"

if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ]; then
  if grep -qi microsoft /proc/version 2>/dev/null; then
    die "this WSL2 distribution runs without systemd. Turn it on: put these two lines in /etc/wsl.conf,
  [boot]
  systemd=true
then run 'wsl --shutdown' in Windows, open the distribution again, and run this again."
  fi
  die "systemd is not PID 1 here, and Aura runs as a systemd service. Start Aura with 'npm start' instead."
fi

# Writes $2 to $1 (mode $3, owner $4) when it differs, and notes the change as $5.
put() {
  local file="$1" content="$2" mode="$3" owner="$4" what="$5"
  if [ -f "$file" ] && [ "$(cat "$file")" = "$content" ]; then return 0; fi
  install -d "$(dirname "$file")"
  printf '%s\n' "$content" >"$file.new"
  chmod "$mode" "$file.new"
  chown "$owner" "$file.new"
  mv -f "$file.new" "$file"
  changed+=("$what")
}

# The sandboxed unit, run by this Node.
put_unit() { put "$UNIT" "$(sed "s#/usr/bin/node #$NODE #" "$PREFIX/systemd/aura.service")" 0644 root:root "$UNIT"; }

# Nginx in front, with TLS: the site is nginx/aura.conf for this host and these ports, with a
# self-signed certificate to start with (certbot can replace it), and Aura told its public URL.
front_with_nginx() {
  if ! command -v nginx >/dev/null || ! command -v openssl >/dev/null; then
    say "Installing Nginx…"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx openssl >/dev/null
  fi
  local tls=$ETC/tls cert key public redirect=""
  cert="$tls/$nginx_host.crt"
  key="$tls/$nginx_host.key"
  if [ ! -f "$cert" ]; then
    install -d -m 0700 "$tls"
    openssl req -x509 -newkey rsa:2048 -sha256 -days 825 -nodes -keyout "$key" -out "$cert" \
      -subj "/CN=$nginx_host" -addext "subjectAltName=DNS:$nginx_host" 2>/dev/null
    chmod 0600 "$key"
    changed+=("a self-signed certificate for $nginx_host")
  fi
  [ "$tls_port" = 443 ] || redirect=":$tls_port"
  public="https://$nginx_host$redirect"
  put /etc/nginx/sites-available/aura "# Aura behind Nginx for $nginx_host, written by systemd/install.sh (run it again rather than edit this).
$(sed -e '1,/^$/d' \
    -e "s/panel\.example\.org/$nginx_host/g" \
    -e "s#/etc/letsencrypt/live/$nginx_host/fullchain\.pem#$cert#" \
    -e "s#/etc/letsencrypt/live/$nginx_host/privkey\.pem#$key#" \
    -e "s/listen 80;/listen $http_port;/" \
    -e "s/listen 443 ssl http2;/listen $tls_port ssl http2;/" \
    -e "s#return 301 https://\$host\$request_uri;#return 301 https://\$host$redirect\$request_uri;#" \
    -e "s#proxy_pass http://127.0.0.1:7070;#proxy_pass http://127.0.0.1:$port;#" \
    "$PREFIX/nginx/aura.conf")" 0644 root:root "the Nginx site for $nginx_host"
  ln -sfn ../sites-available/aura /etc/nginx/sites-enabled/aura
  # Aura's own settings for a proxy in front: added once, never overwritten.
  if ! grep -q '^publicUrl:' "$ETC/config.yaml"; then
    printf 'publicUrl: %s\ntrustProxy: true\n' "$public" >>"$ETC/config.yaml"
    changed+=("publicUrl $public in $ETC/config.yaml")
  fi
  nginx -t -q || die "Nginx refuses its configuration (above); nothing was reloaded."
  systemctl enable --quiet nginx
  systemctl reload-or-restart nginx
}

# Restarts Aura and waits until it answers; fails at once when it exits (systemd counts the
# restarts), or after a minute.
start_healthy() {
  systemctl restart aura.service
  local restarts
  restarts="$(systemctl show -p NRestarts --value aura.service)"
  for _ in $(seq 1 240); do
    if "$NODE" -e "fetch('http://127.0.0.1:$port/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      return 0
    fi
    if [ "$(systemctl show -p NRestarts --value aura.service)" != "$restarts" ] ||
      systemctl is-failed --quiet aura.service; then break; fi
    sleep 0.25
  done
  journalctl -u aura.service -n 30 --no-pager >&2 || true
  return 1
}

# The upgrade failed: the old code and the data from before it go back.
roll_back() {
  trap - EXIT
  systemctl stop aura.service || true
  rm -rf "$PREFIX.failed"
  mv "$PREFIX" "$PREFIX.failed"
  mv "$PREFIX.old" "$PREFIX"
  put_unit
  systemctl daemon-reload
  if [ -n "${backup:-}" ]; then
    rm -rf "$DATA.failed-upgrade"
    mv "$DATA" "$DATA.failed-upgrade"
    install -d -m 0700 -o "$USER_NAME" -g "$USER_NAME" "$DATA"
    tar -xzf "$backup" -C "$DATA" --no-same-owner
    chown -R "$USER_NAME:$USER_NAME" "$DATA"
  fi
  start_healthy || die "the new version did not start, and the previous one did not either: see the log above."
  die "the upgrade failed (above). The previous version runs again, on the data as it was before the upgrade; the new code is kept in $PREFIX.failed${backup:+, the data it left in $DATA.failed-upgrade}."
}

uninstall() {
  if systemctl list-unit-files aura.service >/dev/null 2>&1; then
    systemctl disable --now aura.service >/dev/null 2>&1 || true
  fi
  rm -f "$UNIT" "$RULES" "$DROPIN"
  rmdir "$(dirname "$DROPIN")" 2>/dev/null || true
  systemctl daemon-reload
  if [ -e /etc/nginx/sites-available/aura ]; then
    rm -f /etc/nginx/sites-enabled/aura /etc/nginx/sites-available/aura
    if systemctl is-active --quiet nginx; then systemctl reload nginx; fi
  fi
  rm -rf "$PREFIX" "$PREFIX.new" "$PREFIX.old" "$PREFIX.failed"
  if [ "$purge" = yes ]; then
    rm -rf "$ETC" "$DATA" "$DATA.failed-upgrade" "$BACKUPS"
    if id "$USER_NAME" >/dev/null 2>&1; then userdel "$USER_NAME"; fi
    say "Aura is removed, with its settings ($ETC), its data ($DATA), its backups ($BACKUPS) and its user."
  else
    say "Aura is removed. Its settings ($ETC), data ($DATA) and backups ($BACKUPS) are kept: --uninstall --purge removes them too."
  fi
}

if [ "$mode" = uninstall ]; then
  uninstall
  exit 0
fi

# Node.js 20.19 or newer, where systemd will find it.
NODE="$(command -v node || true)"
[ -n "$NODE" ] || die "Node.js 20.19 or newer is needed. On Ubuntu or Debian:
  curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && apt-get install -y nodejs"
NODE="$(readlink -f "$NODE")"
"$NODE" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js $("$NODE" --version) is too old: Aura needs 20.19 or newer (NodeSource's setup_22.x gives 22)."
NODE_PREFIX="$(dirname "$(dirname "$NODE")")"
NPM="$(command -v npm || true)"
[ -n "$NPM" ] || die "npm is needed (it comes with Node.js from NodeSource)."
for tool in make g++ python3; do
  command -v "$tool" >/dev/null || die "$tool is needed to build node-pty (terminals): apt-get install -y build-essential python3"
done

# The user Aura runs as: no shell, no home of its own but its data.
if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  changed+=("user $USER_NAME")
fi
if getent group systemd-journal >/dev/null && ! id -nG "$USER_NAME" | tr ' ' '\n' | grep -qx systemd-journal; then
  usermod -aG systemd-journal "$USER_NAME"
  changed+=("$USER_NAME in systemd-journal")
fi

# Settings and secrets, made once and never overwritten.
polkit=no
if [ -d /etc/polkit-1/rules.d ] || command -v pkaction >/dev/null; then polkit=yes; fi
install -d -m 0755 "$ETC"
if [ ! -f "$ETC/config.yaml" ]; then
  privilege=""
  [ "$polkit" = yes ] && privilege="    privilege: { local: polkit }"
  put "$ETC/config.yaml" "# Aura's settings (README.md#configuration); the installer made this and never overwrites it.
listen: { host: 127.0.0.1, port: $port }
plugins:
  services:
    units: {}
$privilege" 0640 "root:$USER_NAME" "$ETC/config.yaml"
fi
if [ ! -f "$ETC/aura.env" ]; then
  secret="$("$NODE" -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64"))')"
  put "$ETC/aura.env" "# Aura's secrets (mode 0600). The admin password is generated at the first start, unless set here.
SESSION_SECRET=$secret" 0600 root:root "$ETC/aura.env"
fi
port="$(sed -n 's/^listen:.*port: *\([0-9]*\).*/\1/p' "$ETC/config.yaml" | head -n 1)"
port="${port:-7070}"

# The code: copied from this checkout, its dependencies installed and everything built here, once.
manifest() {
  (cd "$1" && find . \( -path ./node_modules -o -path ./.git -o -path ./data -o -path ./dist -o -path ./ui/build \
    -o -path ./ui/.svelte-kit -o -path ./test-artifacts -o -path ./.stryker-tmp -o -path ./reports \) -prune \
    -o -type f -print | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}
wanted="$(manifest "$SRC")"
if [ "$(cat "$PREFIX/.aura-source" 2>/dev/null)" != "$wanted" ]; then
  say "Installing Aura from $SRC into $PREFIX (npm ci and a build: a minute or two)…"
  rm -rf "$PREFIX.new"
  install -d -m 0755 "$PREFIX.new"
  tar -C "$SRC" --exclude=./node_modules --exclude=./.git --exclude=./data --exclude=./dist --exclude=./ui/build \
    --exclude=./ui/.svelte-kit --exclude=./test-artifacts --exclude=./.stryker-tmp --exclude=./reports -cf - . |
    tar -C "$PREFIX.new" --no-same-owner -xf -
  # node-pty builds against this Node's own headers where it has them (no download).
  if [ -f "$NODE_PREFIX/include/node/common.gypi" ]; then export npm_config_nodedir="$NODE_PREFIX"; fi
  # The build needs the type packages, so everything is installed, built, then pruned to what runs.
  log="$(mktemp)"
  if ! (cd "$PREFIX.new" && "$NPM" ci --no-audit --no-fund --loglevel=error &&
    AURA_CONFIG="$ETC/config.yaml" "$NODE" dist/core/cli.js build-ui &&
    "$NPM" prune --omit=dev --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -rf "$PREFIX.new" "$log"
    die "the install in $PREFIX.new failed (above); $PREFIX is as it was."
  fi
  rm -f "$log"
  # Root's, readable by all and writable by none else, whatever the checkout's modes were.
  chown -R "root:root" "$PREFIX.new"
  chmod -R u+rwX,go+rX,go-w "$PREFIX.new"
  # Aura rebuilds its UI when the enabled plugins' panels change: that folder is its own.
  chown -R "$USER_NAME:$USER_NAME" "$PREFIX.new/ui"
  printf '%s\n' "$wanted" >"$PREFIX.new/.aura-source"
  if [ -d "$PREFIX" ]; then
    # An upgrade: the data as it was goes to a backup first, and the old code stays until the
    # new one answers.
    systemctl stop aura.service 2>/dev/null || true
    if [ -d "$DATA" ]; then
      install -d -m 0700 "$BACKUPS"
      backup="$BACKUPS/aura-$(date -u +%Y%m%dT%H%M%SZ).tar.gz"
      AURA_CONFIG="$ETC/config.yaml" AURA_DATA_DIR="$DATA" "$NODE" "$PREFIX.new/dist/core/cli.js" backup "$backup" >/dev/null
      say "The data in $DATA is backed up to $backup."
    fi
    rm -rf "$PREFIX.old"
    mv "$PREFIX" "$PREFIX.old"
  fi
  mv "$PREFIX.new" "$PREFIX"
  # From here on, an upgrade that fails in any way puts the previous version back.
  if [ -d "$PREFIX.old" ]; then trap 'if [ -d "$PREFIX.old" ]; then roll_back; fi' EXIT; fi
  changed+=("the code in $PREFIX")
fi

put_unit

# What a plugin command of the installed code prints for these settings (its stdout only: a
# warning on stderr must not land in a file root installs); nothing when the plugin is off (the
# command's exit code 3).
plugin_says() {
  local out errors_file errors rc=0
  errors_file="$(mktemp)"
  out="$(cd "$PREFIX" && AURA_CONFIG="$ETC/config.yaml" "$NODE" dist/core/cli.js "$@" 2>"$errors_file")" || rc=$?
  errors="$(cat "$errors_file")"
  rm -f "$errors_file"
  [ "$rc" = 3 ] && return 0
  [ "$rc" = 0 ] || die "'npm run aura -- $*' failed on $ETC/config.yaml: $errors $out"
  printf '%s' "$out"
}

# Writes $2 to $1 as put does, or removes $1 when $2 is empty.
put_or_remove() {
  if [ -n "$2" ]; then
    put "$1" "$2" 0644 root:root "$1"
  elif [ -e "$1" ]; then
    rm -f "$1"
    changed+=("$1 removed")
  fi
}

# What Aura may do to the managed units, through polkit (systemd/README.md).
if [ "$polkit" = yes ]; then
  # An assignment, so that a failed command stops the script (set -e) instead of emptying the file.
  rules="$(plugin_says services polkit --user "$USER_NAME" --server local)"
  put_or_remove "$RULES" "$rules"
else
  say "polkit is not installed: the services plugin cannot change units until it is (apt-get install polkitd, then run this again), or until sudo is set up (systemd/README.md)."
fi

# The deploy apps' folders on this machine: besides its data, the one part of the system the
# sandbox lets Aura write (systemd/README.md). Each folder must belong to $USER_NAME.
dropin="$(plugin_says deploy sandbox --server local)"
put_or_remove "$DROPIN" "$dropin"

if [ -n "$nginx_host" ]; then front_with_nginx; fi

if [ ${#changed[@]} -gt 0 ]; then systemctl daemon-reload; fi
if ! systemctl is-enabled --quiet aura.service; then
  systemctl enable --quiet aura.service
  changed+=("aura.service enabled")
fi
if [ ${#changed[@]} -gt 0 ] || ! systemctl is-active --quiet aura.service; then
  start_healthy || die "Aura did not answer on port $port; its log is above."
fi
rm -rf "$PREFIX.old" "$PREFIX.failed"

url="http://127.0.0.1:$port"
if [ -n "$nginx_host" ]; then url="https://$nginx_host$([ "$tls_port" = 443 ] || printf ':%s' "$tls_port")"; fi
if [ ${#changed[@]} -eq 0 ]; then
  say "Nothing to change: Aura is installed and running at $url."
  exit 0
fi
say "Changed: $(
  IFS=,
  printf '%s' "${changed[*]}" | sed 's/,/, /g'
)."
say "Aura runs at $url (systemctl status aura; journalctl -u aura)."
password="$(journalctl -u aura.service -o cat --no-pager 2>/dev/null | sed -n 's/.*\(user [^ ]*, password [^ ]*\) (shown only this once).*/\1/p' | tail -n 1 || true)"
if [ -n "$password" ]; then
  say "Sign in as $password: it is shown only this once, and only its hash is kept."
else
  say "Sign in with the admin password from Aura's first start, or set ADMIN_PASSWORD in $ETC/aura.env and restart."
fi
