# Sourced by the other scripts: makes sure Maven and java run on a JDK 21 or newer.
# Uses JAVA_HOME when it is new enough, otherwise the newest JDK found in the usual places
# (on these machines the default java is 17, and a JDK 25 lives under /usr/lib/jvm).
jdk_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/javac" ] || [ "$(jdk_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
  best=""; best_version=0
  for dir in /usr/lib/jvm/*/ /Library/Java/JavaVirtualMachines/*/Contents/Home/ "$HOME"/.sdkman/candidates/java/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/javac" ] || continue
    version=$(jdk_major "$dir")
    if [ "${version:-0}" -gt "$best_version" ]; then best=$dir; best_version=$version; fi
  done
  if [ "$best_version" -lt 21 ]; then
    echo "voice-agent needs a JDK 21 or newer; none found. Install one and set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME=$best
fi
export PATH="$JAVA_HOME/bin:$PATH"
