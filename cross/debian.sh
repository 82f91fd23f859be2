# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Debian packages of any architecture, without touching the machine's apt
# configuration: a private apt state (lists and cache under
# $DEB_CACHE/apt-ARCH) made from a copy of the machine's apt sources, with
# deb-src added.  Sourced by vm/run.sh and cross/cmocka.sh.
#
#   deb_kernel_pkg ARCH SERIES [FLAVOUR]
#                                newest linux-image-SERIES.0-N-FLAVOUR (SERIES 6.1;
#                                FLAVOUR: ARCH, or armmp-lpae and the like)
#   deb_fetch ARCH PKG DIR       apt-get download PKG (ARCH) into DIR, print the .deb
#   deb_extract DEB DIR GLOB...  unpack the files matching GLOB from DEB into DIR
#   deb_source PKG DIR           apt-get source --download-only PKG into DIR
#
# ARCH is a Debian architecture name (amd64, arm64, s390x, ...).

DEB_CACHE=${DEB_CACHE:-$(pwd)/build-vm/cache}

deb_apt_opts() {	# deb_apt_opts ARCH: the apt options of ARCH's private state
	local a=$DEB_CACHE/apt-$1
	DEB_APT=(-q -o APT::Sandbox::User=root -o Dir::Etc::SourceList=/dev/null
		 -o "Dir::Etc::SourceParts=$a/parts" -o "Dir::State::Lists=$a/lists"
		 -o "Dir::Cache=$a/cache" -o "Dir::State::status=$a/status"
		 -o "APT::Architecture=$1" -o "APT::Architectures::=$1")
}

deb_apt_update() {	# deb_apt_update ARCH: once a day at most; 1 if no list came
	local a=$DEB_CACHE/apt-$1 f
	deb_apt_opts "$1"
	if [ -f "$a/updated" ] && [ -n "$(find "$a/updated" -mmin -1440)" ]; then
		return 0
	fi
	rm -rf "$a"
	mkdir -p "$a/parts" "$a/lists/partial" "$a/cache/archives/partial"
	: > "$a/status"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types:.*/Types: deb deb-src/' "$f" > "$a/parts/${f##*/}"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb[[:space:]]/deb /p; s/^deb[[:space:]]/deb-src /p' "$f" \
			> "$a/parts/${f##*/}"
	done
	# a third-party source without this architecture or deb-src may fail
	# here: what matters is a package list for ARCH.  Without one (no
	# network, a proxy, a broken mirror) say why and leave the state
	# unmarked, so that the next run tries again instead of trusting it
	# for a day.
	apt-get "${DEB_APT[@]}" update > "$a/update.log" 2>&1 || true
	if ! ls "$a"/lists/*_binary-"$1"_Packages* >/dev/null 2>&1; then
		echo "apt-get update ($1) brought no package list:" >&2
		grep -E '^(E|W|Err):' "$a/update.log" | head -n 5 >&2
		return 1
	fi
	touch "$a/updated"
}

deb_kernel_pkg() {	# deb_kernel_pkg ARCH SERIES [FLAVOUR]
	local re
	deb_apt_update "$1" || return 1
	re="^linux-image-${2//./\\.}\\.0-[0-9]+-${3:-$1}\$"
	apt-cache "${DEB_APT[@]}" search --names-only "$re" |
		awk '{print $1}' | sort -V | tail -n 1
}

deb_fetch() {		# deb_fetch ARCH PKG DIR
	deb_apt_update "$1" || return 1
	mkdir -p "$3"
	(cd "$3" && rm -f "./${2}"_*.deb &&
	 apt-get "${DEB_APT[@]}" download "$2:$1" >/dev/null) || return 1
	ls "$3/${2}"_*.deb
}

deb_extract() {		# deb_extract DEB DIR GLOB...
	local deb=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" --wildcards "$@"
}

deb_source() {		# deb_source PKG DIR (any architecture's state will do)
	deb_apt_update amd64 || return 1
	mkdir -p "$2"
	(cd "$2" && apt-get "${DEB_APT[@]}" source --download-only "$1" >/dev/null)
}
