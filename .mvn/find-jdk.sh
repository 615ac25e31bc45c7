# Sourced (POSIX sh) by ./mvnw, ./myelin, jmh/run and .ci/run: makes JAVA_HOME point at a JDK 25 or newer.
# Why: Myelin is built with the jdk.incubator.vector module of JDK 25, while many machines still put an
# older `java` first on the PATH. Order: $JAVA_HOME, `java` on the PATH, then the usual install folders.
myelin_required_jdk=25

myelin_java_feature() { # prints the feature version (17, 21, 25, ...) of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

myelin_find_jdk() {
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    v=$(myelin_java_feature "$candidate")
    if [ -n "$v" ] && [ "$v" -ge "$myelin_required_jdk" ]; then
      JAVA_HOME=$(cd "$(dirname "$candidate")/.." && pwd -P); export JAVA_HOME; return 0
    fi
  done
  best=""; best_v=0
  case $- in *f*) myelin_noglob=1; set +f ;; *) myelin_noglob=0 ;; esac   # ./mvnw runs with globbing off
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/java/* "$HOME"/.sdkman/candidates/java/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v=$(myelin_java_feature "$home/bin/java")
    if [ -n "$v" ] && [ "$v" -ge "$myelin_required_jdk" ] && [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
  done
  [ "$myelin_noglob" = 1 ] && set -f
  if [ -n "$best" ]; then JAVA_HOME=$best; export JAVA_HOME; return 0; fi
  found=$(java -version 2>&1 | head -n 1)
  echo "Myelin needs a JDK ${myelin_required_jdk} or newer (it uses the jdk.incubator.vector module)." >&2
  echo "Found: ${found:-no java on the PATH}; none in /usr/lib/jvm, /opt/java or ~/.sdkman either." >&2
  echo "Install one (e.g. Eclipse Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
