# bash completion for umlkbuild(1)
# Installed as share/bash-completion/completions/umlkbuild; works with or
# without the bash-completion package.

_umlkbuild_files() {
	# files matching the glob (extglob pattern) plus directories to descend into
	local IFS=$'\n' cur=$1 pat=$2
	if declare -F _filedir >/dev/null; then
		_filedir "$pat"
		return
	fi
	COMPREPLY=($(compgen -d -- "$cur"))
	if [ -n "$pat" ]; then
		local ext
		ext=$(shopt -p extglob)
		shopt -s extglob
		COMPREPLY+=($(compgen -f -X "!*.@($pat)" -- "$cur"))
		eval "$ext"
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
	compopt -o filenames 2>/dev/null
}

_umlkbuild_dirs() {
	local IFS=$'\n'
	if declare -F _filedir >/dev/null; then
		_filedir -d
		return
	fi
	COMPREPLY=($(compgen -d -- "$1"))
	compopt -o filenames 2>/dev/null
}

_umlkbuild() {
	local cur prev cmd i
	local commands="build fetch boot check-config explain patches reproduce matrix rootfs
		bundle deploy undeploy run status console doctor"
	local global="-q --quiet -v --verbose --cache -h --help --version"
	local build_opts="--tarball --version --git --ref --arch --out --profile
		--fragment --kconfig-add -j --jobs --no-ccache --no-boot
		--boot-timeout --mirror --keyring --no-verify --offline --config --link --toolchain
		--distcc --source-only --help"
	local fetch_opts="--version --git --ref --out --mirror --keyring --offline
		--no-verify --cache --config -q --quiet -v --verbose --help"
	local boot_opts="-t --timeout -m --mem -l --log --net --net-bytes --deploy --help"
	local reproduce_opts="--out --mirror --keyring --help"
	local matrix_opts="--out -j --jobs --parallel --toolchain --no-ccache --no-boot
		--offline --config --json --help"
	local check_opts="--version --arch --fragment --json --help"
	local explain_opts="-C --directory --help"
	local patches_opts="--version --arch --help"
	local doctor_opts="--json --build --arch --help"
	local rootfs_opts="--alpine --debian --arch --size --guest-ip --gateway --dns
		--hostname --root-password-file --authorized-keys --swap --copy
		--start --sysctl --mirror --keyring --offline --cache --config --out
		-q --quiet -v --verbose --help"
	local bundle_opts="--kernel --rootfs --out --mem --tap --forward --verify
		-q --quiet -v --verbose --help"

	local deploy_opts="--kernel --rootfs --bundle --name --mem --tap --host-ip --guest-ip
		--forward --reserve --wan-if --firewall --service --dry-run --help"

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the command: the first word after the global options
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--cache) ((i++)) ;;
		-q | --quiet | -v | --verbose | --cache=*) ;;
		-*) cmd=build; break ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	if [ "$cmd" = deploy ]; then
		case $prev in
		--kernel | --rootfs) _umlkbuild_files "$cur" ""; return ;;
		--bundle) _umlkbuild_files "$cur" "tar.xz"; return ;;
		--firewall)
			COMPREPLY=($(compgen -W "auto nft iptables iptables-legacy" -- "$cur"))
			return ;;
		--service)
			COMPREPLY=($(compgen -W "auto systemd sysv none" -- "$cur"))
			return ;;
		--forward | --reserve)
			COMPREPLY=($(compgen -W "tcp: udp: all" -- "$cur"))
			compopt -o nospace 2>/dev/null
			return ;;
		--wan-if)
			COMPREPLY=($(compgen -W "auto $(ls /sys/class/net 2>/dev/null)" -- "$cur"))
			return ;;
		--name | --mem | --tap | --host-ip | --guest-ip) return ;;
		esac
	fi
	if [ "$cmd" = boot ]; then
		case $prev in
		-l) _umlkbuild_files "$cur" ""; return ;;
		-t | -m) return ;;
		esac
	fi
	if [ "$cmd" = bundle ]; then
		case $prev in
		--kernel)
			_umlkbuild_dirs "$cur"
			return
			;;
		--rootfs)
			_umlkbuild_files "$cur" "img"
			return
			;;
		--out | --verify)
			_umlkbuild_files "$cur" "tar.xz"
			return
			;;
		--mem | --tap | --forward)
			return # a value nobody can guess
			;;
		esac
	fi

	if [ "$cmd" = rootfs ]; then
		case $prev in
		--arch)
			COMPREPLY=($(compgen -W "x86_64 i386" -- "$cur"))
			return
			;;
		--out | --root-password-file | --authorized-keys | --copy)
			_umlkbuild_files "$cur" ""
			return
			;;
		--debian)
			COMPREPLY=($(compgen -W "bookworm trixie stable testing sid" -- "$cur"))
			return
			;;
		--alpine | --size | --guest-ip | --gateway | --dns | --hostname | \
			--swap | --start | --sysctl)
			return # a value nobody can guess
			;;
		esac
	fi

	case $prev in
	--arch)
		COMPREPLY=($(compgen -W "x86_64 amd64 64 i386 i686 32" -- "$cur"))
		return
		;;
	--profile)
		COMPREPLY=($(compgen -W "defconfig minimal" -- "$cur"))
		return
		;;
	--toolchain)
		local d names=
		for d in "${UKB_DATADIR:-}" /usr/share/umlkbuild /usr/local/share/umlkbuild; do
			[ -n "$d" ] && [ -d "$d/toolchain/profiles" ] || continue
			names=$(cd "$d/toolchain/profiles" && ls -- *.ini 2>/dev/null)
			break
		done
		names=${names//.ini/}
		COMPREPLY=($(compgen -W "${names:-gcc}" -- "$cur"))
		return
		;;
	--link)
		COMPREPLY=($(compgen -W "static dynamic" -- "$cur"))
		return
		;;
	--tarball)
		_umlkbuild_files "$cur" "tar.xz|tar.gz|tgz|tar"
		return
		;;
	--fragment)
		_umlkbuild_files "$cur" "config"
		return
		;;
	--config)
		_umlkbuild_files "$cur" "ini"
		return
		;;
	--keyring)
		_umlkbuild_files "$cur" "asc|gpg|kbx|pgp"
		return
		;;
	--log)
		_umlkbuild_files "$cur" ""
		return
		;;
	--out | --cache | -C | --directory)
		_umlkbuild_dirs "$cur"
		return
		;;
	--kconfig-add)
		COMPREPLY=($(compgen -W "CONFIG_" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return
		;;
	--version | --ref | --git | --mirror | -j | --jobs | --boot-timeout | \
		--timeout | --mem | --distcc | --net-bytes | --parallel)
		return # a value nobody can guess
		;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global $build_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	case $cmd in
	build) COMPREPLY=($(compgen -W "$build_opts" -- "$cur")) ;;
	fetch) COMPREPLY=($(compgen -W "$fetch_opts" -- "$cur")) ;;
	rootfs) COMPREPLY=($(compgen -W "$rootfs_opts" -- "$cur")) ;;
	bundle) COMPREPLY=($(compgen -W "$bundle_opts" -- "$cur")) ;;
	doctor) COMPREPLY=($(compgen -W "$doctor_opts" -- "$cur")) ;;
	deploy) COMPREPLY=($(compgen -W "$deploy_opts" -- "$cur")) ;;
	undeploy | run | status | console)
		# the deployments' names, from their config files
		local d=${UKB_CONF_DIR:-/etc/umlkbuild/deploy} opts=--help
		[ "$cmd" = status ] && opts="--json --help"
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(cd "$d" 2>/dev/null && ls -- *.conf 2>/dev/null | sed 's/\.conf$//')" -- "$cur"))
		fi
		;;
	patches) COMPREPLY=($(compgen -W "$patches_opts" -- "$cur")) ;;
	boot)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$boot_opts" -- "$cur"))
		else
			_umlkbuild_files "$cur" ""
		fi
		;;
	check-config)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$check_opts" -- "$cur"))
		else
			_umlkbuild_files "$cur" ""
		fi
		;;
	explain)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$explain_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "CONFIG_" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi
		;;
	reproduce)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$reproduce_opts" -- "$cur"))
		else
			_umlkbuild_files "$cur" "json"
		fi
		;;
	matrix)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$matrix_opts" -- "$cur"))
		else
			_umlkbuild_files "$cur" "ini"
		fi
		;;
	esac
}
complete -F _umlkbuild umlkbuild
