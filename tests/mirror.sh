# Test helpers for the fetch layer: a throw-away OpenPGP key, a
# kernel.org-shaped mirror tree, nginx serving it on 127.0.0.1 and
# `git daemon` on 127.0.0.1. Source it (after tests/lib.sh, whose
# at_exit cleans up when present):
#
#   . "$TOP/tests/mirror.sh"
#   mirror_gpg_init "$T/gpg"
#   fpr=$(mirror_gen_key release)          # key file: $MIRROR_KEYS/release.asc
#   mirror_tree "$T/www" 6.1.999 "$tarball" "$fpr"
#   nginx_start "$T/www"                   # $NGINX_URL, $NGINX_ACCESS_LOG
#   "$UKB" fetch --version 6.1.999 --mirror "$NGINX_URL" \
#           --keyring "$MIRROR_KEYS/release.asc" ...
#   nginx_stop
#
# Nothing here listens on anything but 127.0.0.1.

NGINX_BIN=${NGINX_BIN:-/usr/sbin/nginx}
: "${MIRROR_SLOW_RATE:=256k}"

_mirror_cleanup() {
	nginx_stop
	git_daemon_stop
	if [ -n "${GNUPGHOME:-}" ] && [ -n "${MIRROR_GPG_OWNED:-}" ]; then
		gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true
	fi
}
if declare -F at_exit >/dev/null; then
	at_exit _mirror_cleanup
else
	trap _mirror_cleanup EXIT
fi

# mirror_gpg_init DIR: a private GNUPGHOME in DIR; keys are exported to
# $MIRROR_KEYS (DIR/keys). The user's ~/.gnupg is never touched.
mirror_gpg_init() {
	export GNUPGHOME="$1/home"
	MIRROR_KEYS="$1/keys"
	MIRROR_GPG_OWNED=1
	mkdir -p "$GNUPGHOME" "$MIRROR_KEYS"
	chmod 700 "$GNUPGHOME"
}

# mirror_gen_key NAME: a new ed25519 signing key without passphrase; its
# public key goes to $MIRROR_KEYS/NAME.asc, its fingerprint to stdout.
mirror_gen_key() {
	local name=$1 email="$1@umlkbuild.invalid"
	gpg --batch --quiet --passphrase '' --quick-gen-key \
		"umlkbuild test key $name <$email>" ed25519 sign never \
		>/dev/null 2>&1 || return 1
	gpg --batch --armor --export "<$email>" 2>/dev/null \
		>"$MIRROR_KEYS/$name.asc" || return 1
	gpg --batch --with-colons --list-keys "<$email>" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }'
}

# mirror_sign_tar TARBALL FPR: TARBALL's .tar.sign (armored, detached)
# over the uncompressed tar, as kernel.org signs them.
mirror_sign_tar() {
	local tarball=$1 fpr=$2 sign
	sign="${tarball%.tar.*}.tar.sign"
	case "$tarball" in
	*.xz) xz -dc -- "$tarball" ;;
	*.gz) gzip -dc -- "$tarball" ;;
	*) cat -- "$tarball" ;;
	esac | gpg --batch --yes --quiet --local-user "$fpr!" --armor \
		--detach-sign --output "$sign" - 2>/dev/null
}

# mirror_sign_sums DIR FPR: DIR/sha256sums.asc, clearsigned by FPR, over
# the tarballs in DIR.
mirror_sign_sums() {
	local dir=$1 fpr=$2
	(cd "$dir" && sha256sum -- linux-*.tar.xz linux-*.tar.gz 2>/dev/null |
		sort -k2) >"$dir/sha256sums" || true
	gpg --batch --yes --quiet --local-user "$fpr!" --clearsign \
		--output "$dir/sha256sums.asc" "$dir/sha256sums" 2>/dev/null
	rm -f "$dir/sha256sums"
}

# mirror_tree ROOT VERSION TARBALL FPR: ROOT/vN.x/linux-VERSION.tar.EXT
# (a hard link to TARBALL when possible, else a copy), its .tar.sign, and
# the directory's sha256sums.asc, all signed by FPR.
mirror_tree() {
	local root=$1 version=$2 tarball=$3 fpr=$4 ext dir dest
	case "$tarball" in
	*.gz) ext=gz ;;
	*) ext=xz ;;
	esac
	dir="$root/v${version%%.*}.x"
	dest="$dir/linux-$version.tar.$ext"
	mkdir -p "$dir"
	rm -f "$dest"
	ln "$tarball" "$dest" 2>/dev/null || cp "$tarball" "$dest" || return 1
	mirror_sign_tar "$dest" "$fpr" || return 1
	mirror_sign_sums "$dir" "$fpr"
}

# alpine_tree ROOT VERSION ARCH TARBALL FPR: ROOT/vX.Y/releases/ARCH/ with
# the tarball, its .sha256 and .asc, and latest-releases.yaml.
alpine_tree() {
	local root=$1 ver=$2 arch=$3 tarball=$4 fpr=$5 dir name
	dir="$root/v${ver%.*}/releases/$arch"
	name="alpine-minirootfs-$ver-$arch.tar.gz"
	mkdir -p "$dir"
	cp "$tarball" "$dir/$name"
	(cd "$dir" && sha256sum "$name" >"$name.sha256")
	gpg --batch --yes --quiet --local-user "$fpr!" --armor \
		--detach-sign --output "$dir/$name.asc" "$dir/$name" 2>/dev/null
	cat >"$dir/latest-releases.yaml" <<EOT
---
-
  title: "Standard"
  flavor: alpine-standard
  version: $ver
  file: alpine-standard-$ver-$arch.iso
-
  title: "Mini root filesystem"
  desc: "Minimal root filesystem.
    For use in containers
    and minimal chroots."
  profile: minirootfs
  date: 2024-09-06
  arch: $arch
  version: $ver
  flavor: alpine-minirootfs
  file: $name
  sha256: $(cut -d' ' -f1 "$dir/$name.sha256")
EOT
}

# mirror_small_tarball FILE [MiB]: a small linux-shaped tar.xz (a Makefile
# and MiB of incompressible data) for tests that do not build.
mirror_small_tarball() {
	local out=$1 mib=${2:-2} src
	src=$(mktemp -d "${TMPDIR:-/tmp}/ukb-small.XXXXXX")
	mkdir -p "$src/linux"
	printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 999\nEXTRAVERSION =\n' \
		>"$src/linux/Makefile"
	head -c "$((mib * 1024 * 1024))" /dev/urandom >"$src/linux/blob"
	tar -C "$src" -cf - linux | xz -0 -T1 >"$out"
	rm -rf "$src"
}

# mirror_fetch_setup TARBALL MiB: how the fetch tests start. `fetch
# --help` must work, the user's config files are kept out, a throw-away
# key ($fpr, $KEY) signs a kernel.org-shaped mirror of a small MiB-sized
# TARBALL as 6.1.999, and nginx serves it at $NGINX_URL.
mirror_fetch_setup() {
	"$UKB" fetch --help >/dev/null 2>&1 || fail_all "'$UKB fetch --help' fails"
	[ -x "$NGINX_BIN" ] || skip_all "nginx is not installed"
	export UKB_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$T/xdg"
	mirror_gpg_init "$T/gpg"
	fpr=$(mirror_gen_key release) || skip_all "cannot generate a gpg key"
	KEY="$MIRROR_KEYS/release.asc"
	mirror_small_tarball "$1" "$2"
	mirror_tree "$T/www" 6.1.999 "$1" "$fpr"
	nginx_start "$T/www" || skip_all "cannot start nginx"
}

_free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

_wait_port() {
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# nginx_start ROOT: serve ROOT on 127.0.0.1:<free port> with a private
# prefix, config, pid file and logs. Sets NGINX_PORT, NGINX_URL (ROOT's
# URL), NGINX_SLOW_URL (the same tree at $MIRROR_SLOW_RATE per
# connection), NGINX_500_URL and NGINX_404_URL (every request fails so),
# NGINX_ACCESS_LOG ("METHOD URI STATUS BYTES RANGE" lines) and NGINX_PID.
# With openssl at hand, NGINX_TLS_URL serves the same tree over https
# with a self-signed certificate nobody trusts (for TLS failures).
# Range requests are nginx's default.
nginx_start() {
	local root dir user group
	root=$(cd "$1" && pwd) || return 1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/ukb-nginx.XXXXXX")
	user=$(id -un)
	group=$(id -gn)
	mkdir -p "$dir/tmp"
	NGINX_DIR=$dir
	NGINX_ACCESS_LOG="$dir/access.log"
	NGINX_TLS_URL=
	local tls=""
	if command -v openssl >/dev/null &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
			-subj /CN=127.0.0.1 -keyout "$dir/key.pem" \
			-out "$dir/cert.pem" >/dev/null 2>&1; then
		tls=1
	fi
	for _ in 1 2 3 4 5; do
		NGINX_PORT=$(_free_port) || return 1
		NGINX_TLS_PORT=$(_free_port) || return 1
		local tls_server=""
		[ -n "$tls" ] && tls_server="server {
		listen 127.0.0.1:$NGINX_TLS_PORT ssl;
		ssl_certificate $dir/cert.pem;
		ssl_certificate_key $dir/key.pem;
		root $root;
	}"
		cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
user $user $group;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
	log_format ukb '\$request_method \$uri \$status \$body_bytes_sent "\$http_range"';
	access_log $NGINX_ACCESS_LOG ukb;
	client_body_temp_path $dir/tmp/body;
	proxy_temp_path $dir/tmp/proxy;
	fastcgi_temp_path $dir/tmp/fastcgi;
	uwsgi_temp_path $dir/tmp/uwsgi;
	scgi_temp_path $dir/tmp/scgi;
	default_type application/octet-stream;
	sendfile on;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $root;
		location /slow/ { alias $root/; limit_rate $MIRROR_SLOW_RATE; }
		location /err500/ { return 500; }
		location /err404/ { return 404; }
	}
	$tls_server
}
EOF
		: >"$dir/error.log"
		"$NGINX_BIN" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" &
		NGINX_PID=$!
		if _wait_port "$NGINX_PORT" && kill -0 "$NGINX_PID" 2>/dev/null; then
			NGINX_URL="http://127.0.0.1:$NGINX_PORT"
			NGINX_SLOW_URL="$NGINX_URL/slow"
			NGINX_500_URL="$NGINX_URL/err500"
			NGINX_404_URL="$NGINX_URL/err404"
			[ -n "$tls" ] &&
				NGINX_TLS_URL="https://127.0.0.1:$NGINX_TLS_PORT"
			return 0
		fi
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=
		grep -q "in use" "$dir/error.log" || break
	done
	cat "$dir/error.log" >&2
	return 1
}

nginx_stop() {
	if [ -n "${NGINX_PID:-}" ]; then
		kill -QUIT "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=
	fi
	if [ -n "${NGINX_DIR:-}" ]; then
		rm -rf "$NGINX_DIR"
		NGINX_DIR=
	fi
}

# git_daemon_start BASE: `git daemon` exporting every repository under
# BASE on 127.0.0.1:<free port>. Sets GIT_DAEMON_URL (git://...:PORT,
# append /repo.git) and GIT_DAEMON_PID.
git_daemon_start() {
	local base
	base=$(cd "$1" && pwd) || return 1
	for _ in 1 2 3 4 5; do
		GIT_DAEMON_PORT=$(_free_port) || return 1
		git daemon --reuseaddr --listen=127.0.0.1 --port="$GIT_DAEMON_PORT" \
			--base-path="$base" --export-all --informative-errors \
			"$base" 2>/dev/null &
		GIT_DAEMON_PID=$!
		if _wait_port "$GIT_DAEMON_PORT" &&
			kill -0 "$GIT_DAEMON_PID" 2>/dev/null; then
			GIT_DAEMON_URL="git://127.0.0.1:$GIT_DAEMON_PORT"
			return 0
		fi
		wait "$GIT_DAEMON_PID" 2>/dev/null
		GIT_DAEMON_PID=
	done
	return 1
}

git_daemon_stop() {
	if [ -n "${GIT_DAEMON_PID:-}" ]; then
		kill "$GIT_DAEMON_PID" 2>/dev/null
		wait "$GIT_DAEMON_PID" 2>/dev/null
		GIT_DAEMON_PID=
	fi
}
