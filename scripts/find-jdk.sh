# shellcheck shell=sh
# Finds a JDK whose feature version is at least 25 and exports JAVA_HOME to it.
# Sourced by ./migctl, ./mvnw and .ci/run, so all three agree on the JDK.
# Order: $JAVA_HOME, then the usual install folders, then the java on PATH.
# On failure it prints what it looked at and how to fix it, and returns 1.

migctl_jdk_feature() {
  # Prints the feature version (25 for 25.0.3) of the JDK in "$1", or nothing.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p'
  fi
}

migctl_find_jdk() {
  migctl_required=25
  migctl_seen=""
  for migctl_dir in "${JAVA_HOME-}" \
    /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* \
    /opt/java/* /opt/jdk* /usr/local/lib/jvm/* \
    "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$migctl_dir" ] && [ -d "$migctl_dir" ] || continue
    migctl_v=$(migctl_jdk_feature "$migctl_dir")
    if [ -n "$migctl_v" ] && [ "$migctl_v" -ge "$migctl_required" ]; then
      JAVA_HOME=$migctl_dir
      export JAVA_HOME
      return 0
    fi
    [ -n "$migctl_v" ] && migctl_seen="$migctl_seen $migctl_dir (Java $migctl_v);"
  done
  if command -v javac >/dev/null 2>&1; then
    migctl_dir=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    migctl_v=$(migctl_jdk_feature "$migctl_dir")
    if [ -n "$migctl_v" ] && [ "$migctl_v" -ge "$migctl_required" ]; then
      JAVA_HOME=$migctl_dir
      export JAVA_HOME
      return 0
    fi
  fi
  {
    echo "migctl needs a JDK $migctl_required or newer, and none was found."
    [ -n "$migctl_seen" ] && echo "Found only:$migctl_seen"
    echo "Install one (for example Eclipse Temurin 25) and set JAVA_HOME to its folder,"
    echo "e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64"
  } >&2
  return 1
}
