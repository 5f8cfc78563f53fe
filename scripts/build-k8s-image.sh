#!/bin/sh
# Builds the container image of deploy/k8s/Dockerfile with docker or podman.
#
# Usage: scripts/build-k8s-image.sh [TAG]      (default: ghcr.io/migctl/migctl:0.1.0)
# Environment: MIGCTL_IMAGE_ENGINE=docker|podman picks the engine (default: the first that
#   answers); MIGCTL_REQUIRE_TOOLS=1 makes a missing engine or base image an error.
# Exit: 0 built, or skipped with a note (no engine, or the base image is not on this machine);
#   1 failed, or skipped where MIGCTL_REQUIRE_TOOLS=1.
#
# It never pulls: on a machine without a registry the base image must already be there. Where
# a registry is reachable, pull it first (docker pull eclipse-temurin:25-jre). To run your own
# image, push it (docker push TAG) and set that TAG as the DaemonSet's image.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tag=${1:-ghcr.io/migctl/migctl:0.1.0}
dockerfile="$root/deploy/k8s/Dockerfile"
base=$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$dockerfile" | head -n 1)

skip() {
  if [ "${MIGCTL_REQUIRE_TOOLS:-}" = 1 ]; then
    echo "build-k8s-image: $1 (MIGCTL_REQUIRE_TOOLS=1 makes this an error)" >&2
    exit 1
  fi
  echo "build-k8s-image: skipped: $1" >&2
  exit 0
}

engine=""
for candidate in ${MIGCTL_IMAGE_ENGINE:-docker podman}; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" info >/dev/null 2>&1; then
    engine=$candidate
    break
  fi
done
[ -n "$engine" ] || skip "no container engine answers (tried: ${MIGCTL_IMAGE_ENGINE:-docker podman}; a docker client needs a running daemon)"
"$engine" image inspect "$base" >/dev/null 2>&1 ||
  skip "the base image $base is not on this machine and this script does not pull; run '$engine pull $base' where a registry is reachable"

# The launcher builds migctl-cli/target/migctl.jar when it is missing or older than the sources.
"$root/migctl" --version >/dev/null
revision=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
case ${tag##*/} in
  *:*) version=${tag##*:} ;;
  *) version=latest ;;
esac
# The build context holds the jar alone, at the path the Dockerfile copies it from.
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/migctl-cli/target"
cp "$root/migctl-cli/target/migctl.jar" "$context/migctl-cli/target/migctl.jar"
"$engine" build -f "$dockerfile" --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  -t "$tag" "$context"
echo "build-k8s-image: built $tag with $engine"
