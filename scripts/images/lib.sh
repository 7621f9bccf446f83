# shellcheck shell=bash
# Shared helpers for the local image builders (sourced, not run).
# The machine's own Debian mirror is read from its apt sources at run time: no host name lives in the repository.

# image_present NAME:TAG -> 0 when the local engine already has it.
image_present() {
  docker image inspect "$1" >/dev/null 2>&1
}

# image_available NAME:TAG [SECONDS] -> 0 when the engine has it or can pull it (a public image; machines
# without registry access fall back to a local stand-in).
image_available() {
  image_present "$1" || timeout "${2:-120}" docker pull -q "$1" >/dev/null 2>&1
}

# pick_base rust|runtime -> the Dockerfile's public base image (RUST_IMAGE / RUNTIME_IMAGE) when it is here or
# can be pulled, else its local stand-in, built (rust-builder.sh, runtime-base.sh) when missing. Messages go to
# stderr, the chosen name to stdout. service-image.sh builds with it; the setup runs it early, beside the other
# local images.
pick_base() {
  local dir public local_name builder
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  case "$1" in
    rust) public=$(sed -n 's/^ARG RUST_IMAGE=//p' "$dir/../../Dockerfile") local_name=$(rust_builder_image) builder=rust-builder.sh ;;
    runtime) public=$(sed -n 's/^ARG RUNTIME_IMAGE=//p' "$dir/../../Dockerfile") local_name=$(runtime_base_image) builder=runtime-base.sh ;;
    *) echo "pick_base: rust or runtime, not '$1'" >&2; return 2 ;;
  esac
  if image_available "$public" 300; then
    echo "$public"
    return
  fi
  echo "images: ${public} cannot be pulled here; using the local stand-in ${local_name}" >&2
  bash "$dir/$builder" >&2
  echo "$local_name"
}

# Names of the local stand-ins for the public base images (overridable for experiments).
runtime_base_image() {
  echo "${RUNTIME_BASE_IMAGE:-comments-platform/runtime-cc:debian13-nonroot}"
}
rust_builder_image() {
  echo "${RUST_BUILDER_IMAGE:-comments-platform/rust-builder:$(rustc --version | awk '{ print $2 }')-trixie}"
}

# human_bytes N -> N in SI units with one decimal (numfmt alone rounds up: 17.04 MB would print as 18M).
human_bytes() {
  numfmt --to=si --round=nearest --format='%.1f' "$1"
}

# image_size IMAGE -> its size, human readable.
image_size() {
  human_bytes "$(docker image inspect -f '{{.Size}}' "$1")"
}

# drop_if_dangling IMAGE_ID... -> removes those image ids that no tag points to any more (what a rebuild
# leaves behind), and nothing else.
drop_if_dangling() {
  local id
  for id in "$@"; do
    [ -n "$id" ] || continue
    if [ -z "$(docker image inspect -f '{{join .RepoTags ""}}' "$id" 2>/dev/null)" ]; then
      docker image rm "$id" >/dev/null 2>&1 || true
    fi
  done
}

# debian_mirror -> the first Debian archive URI of the machine's apt sources (deb822 *.sources first,
# then one-line sources.list), skipping the security archive. Fails loudly when there is none.
debian_mirror() {
  local uri
  uri=$(
    {
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"
      done
      for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f"
      done
    } | grep -E '/debian/?$' | grep -v -- '-security' | head -n 1
  )
  if [ -z "$uri" ]; then
    echo "images: no Debian archive found in the apt sources; set DEBIAN_MIRROR" >&2
    return 1
  fi
  printf '%s\n' "${uri%/}"
}

# debootstrap_tree ROOT SUITE INCLUDES -> a minbase Debian SUITE with the comma-separated INCLUDES in ROOT,
# stripped of what a container never reads (docs, man pages, translations, apt caches).
debootstrap_tree() {
  local root=$1 suite=$2 includes=$3 mirror
  mirror=${DEBIAN_MIRROR:-$(debian_mirror)}
  echo "images: debootstrap ${suite} (+${includes})"
  if ! debootstrap --variant=minbase --include="$includes" "$suite" "$root" "$mirror" >"$root.log" 2>&1; then
    tail -n 30 "$root.log" >&2
    rm -f "$root.log"
    return 1
  fi
  rm -f "$root.log"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/var/cache/apt/* \
    "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/cache/debconf/*-old
}

# remove_paths ROOT PATH_OR_GLOB... -> removes those paths below ROOT.
remove_paths() {
  local root=$1 p
  shift
  for p in "$@"; do
    # Unquoted on purpose: the paths may be globs.
    # shellcheck disable=SC2086
    rm -rf "${root:?}"/${p#/}
  done
}

# import_tree ROOT IMAGE [docker import options...] -> IMAGE holding ROOT's files.
import_tree() {
  local root=$1 image=$2
  shift 2
  tar --numeric-owner -C "$root" -c . | docker import "$@" - "$image" >/dev/null
}

# scratch_dir -> a new empty directory for a root tree (the caller removes it).
scratch_dir() {
  mktemp -d "${TMPDIR:-/tmp}/comments-image.XXXXXX"
}
