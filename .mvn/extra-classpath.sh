# Sourced (Bash) by ./myelin and jmh/run: reads MYELIN_CLASSPATH, more jars (a kernel variant's, with its
# DenseKernelProvider) to put after Myelin's own. Each entry is made absolute against the folder the command was
# run from (jmh/run works from the repository root) and must exist: the JVM skips a missing entry without a word,
# and the variant would then be an "unknown kernel" with nothing saying why. A `dir/*` entry (the JVM's wildcard
# for every jar in dir) needs dir.
#
# myelin_extra_classpath TOOL: sets myelin_classpath to the entries joined by ':' (empty when MYELIN_CLASSPATH is
# unset or empty), or prints "TOOL: MYELIN_CLASSPATH names …" and returns 2.
myelin_extra_classpath() {
  myelin_classpath=""
  local entries entry path
  IFS=: read -r -a entries <<<"${MYELIN_CLASSPATH:-}" || true # read: no glob expansion of a `dir/*`
  for entry in ${entries[@]+"${entries[@]}"}; do
    [ -n "$entry" ] || continue
    case $entry in /*) path=$entry ;; *) path=$PWD/$entry ;; esac
    case $path in
      */\*) [ -d "${path%/\*}" ] || { echo "$1: MYELIN_CLASSPATH names $entry, but the folder ${path%/\*} does not exist" >&2; return 2; } ;;
      *) [ -e "$path" ] || { echo "$1: MYELIN_CLASSPATH names $entry, which does not exist ($path)" >&2; return 2; } ;;
    esac
    myelin_classpath=${myelin_classpath:+$myelin_classpath:}$path
  done
}
