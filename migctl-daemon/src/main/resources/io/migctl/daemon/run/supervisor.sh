# migctl job supervisor: POSIX sh only (Debian's /bin/sh is dash, so no bashisms).
#
# Run as an argument list, never as a string built from user input:
#   setsid /bin/sh -c "$THIS_SCRIPT" migctl-supervisor ATTEMPT_DIR COMMAND [ARG...]
#
# It writes to ATTEMPT_DIR (which must exist; nothing is written before that is checked):
#   supervisor.pid  the pid of this shell and a newline, written in place with one short write
#                   (no rename: that would cost a process); readers take a file that does not
#                   end in its newline as not written yet
#   child.pid       the command's pid, which is also its process group and session id
#   exit            "status=N" (0-255; 128+n when killed by signal n; 127 command not found),
#                   written once the command is gone; its modification time is when that was
#   cancel          (empty) a stop was asked for: this shell got TERM, INT or HUP, or the
#                   launcher wrote it before signalling the command (which, until it has
#                   reset TERM to its default, checks for this file and does not start)
# child.pid and exit are written as NAME.tmp and then renamed, so that readers never see half
# of them. It appends the command's standard output and error to stdout.log and stderr.log.
# Its standard input is /dev/null. Everything it creates is private (umask 077: files 0600);
# the command gets the umask in MIGCTL_SUPERVISOR_UMASK (the daemon's), else the one this
# shell was started with.
#
# Start-up is on the path of every job, and each process costs: between its start and the
# command's there are two forks (the watcher, then the command's subshell) and the execs of
# env(1), setsid(1) and the command; everything else is a shell builtin.
#
# Processes: this shell (the supervisor) forwards signals; a subshell (the watcher), which
# ignores TERM, INT and HUP and has no traps, starts the command, waits for it and writes the
# exit record, so that no signal can interrupt the wait that yields the status. The command
# runs in its own session and process group (setsid), with every signal at its default
# (env --default-signal, where env has it and this shell is a session leader), in the
# working directory and with the environment this shell was given, except:
#   MIGCTL_SUPERVISOR_SET (a count) and MIGCTL_SUPERVISOR_SET_0... ("NAME=VALUE") are
#     variables that a shell would change or drop, set for the command by env(1);
#   MIGCTL_SUPERVISOR_UNSET lists names, removed for the command by env -u;
#   MIGCTL_SUPERVISOR_UMASK, when set, is the command's umask (octal digits);
#   MIGCTL_SUPERVISOR_CGROUPS, when set, lists cgroup.procs files (separated by spaces) that
#     the command's subshell writes "0" to (moving itself) before it execs the command, so
#     that the command and all it starts are confined while this shell and the watcher are
#     not; when one cannot be joined the command does not start and the status is 126;
#   MIGCTL_SUPERVISOR_DEFAULT_SIGNAL, when set, is the launcher's finding about env(1):
#     "yes:PATH" or "no:PATH", whether the env(1) at PATH takes --default-signal; the script
#     trusts it when PATH is the env(1) it found itself, and otherwise runs that test itself.
#
# Signals: TERM (and INT and HUP when this shell leads its own session; they are ignored
# otherwise, as the supervisor then shares the launcher's process group and terminal) are
# forwarded as TERM to the command's process group; the shell keeps waiting and exits with
# the command's status. A stop asked for before the command has started ("cancel" exists
# when it checks) keeps the command from starting; it then ends with status 143.

set -f
_migctl_tools=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$#" -lt 2 ] || [ -z "$1" ] || [ ! -d "$1" ]; then
  printf '%s\n' 'usage: migctl-supervisor ATTEMPT_DIR COMMAND [ARG...] (ATTEMPT_DIR must exist)' >&2
  exit 125
fi
_migctl_dir=$1
shift

# The command's umask, then this shell's own: what it writes is for the daemon's user only.
_migctl_umask=${MIGCTL_SUPERVISOR_UMASK-}
unset MIGCTL_SUPERVISOR_UMASK
case $_migctl_umask in
  '' | *[!0-7]*) _migctl_umask=$(umask) ;;
esac
umask 077

_migctl_cgroups=${MIGCTL_SUPERVISOR_CGROUPS-}
unset MIGCTL_SUPERVISOR_CGROUPS

# _migctl_which NAME: sets _migctl_v to the first executable file NAME in the system
# directories (those of _migctl_tools), or to nothing. Builtins only: no subshell.
_migctl_which() {
  _migctl_v=
  for _migctl_d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    if [ -f "$_migctl_d/$1" ] && [ -x "$_migctl_d/$1" ]; then
      _migctl_v=$_migctl_d/$1
      return 0
    fi
  done
  return 1
}

_migctl_which mv
_migctl_mv=$_migctl_v

# _migctl_put NAME CONTENT: writes CONTENT and a newline to NAME, atomically.
_migctl_put() {
  printf '%s\n' "$2" >"$_migctl_dir/$1.tmp" || return
  if [ -n "$_migctl_mv" ]; then
    "$_migctl_mv" -f -- "$_migctl_dir/$1.tmp" "$_migctl_dir/$1"
  else # no mv(1) file: maybe one the shell runs itself (busybox), found on the fixed PATH
    (PATH=$_migctl_tools && exec mv -f -- "$_migctl_dir/$1.tmp" "$_migctl_dir/$1")
  fi
}

# _migctl_signal_child SIG: sends SIG to the process group of the pid in _migctl_p, or to
# the pid alone while it has no group of its own yet. Never to pid 0 or 1, nor a group -1.
_migctl_signal_child() {
  case $_migctl_p in
    '' | *[!0-9]*) return 0 ;;
  esac
  [ "$_migctl_p" -gt 1 ] || return 0
  # "kill -SIG -PGID": dash needs "--" after "-s SIG" but not after "-SIG"; busybox takes no "--"
  kill "-$1" "-$_migctl_p" 2>/dev/null || kill "-$1" "$_migctl_p" 2>/dev/null
}

# The trap: remember the request, then forward TERM to the command's process group.
# shellcheck disable=SC2317 # called by trap
_migctl_forward() {
  _migctl_signalled=1
  : >"$_migctl_dir/cancel"
  [ ! -e "$_migctl_dir/exit" ] || return 0
  _migctl_p=
  [ ! -f "$_migctl_dir/child.pid" ] || read -r _migctl_p <"$_migctl_dir/child.pid"
  _migctl_signal_child TERM
}

# Whether this shell leads its own session (it was started by setsid).
_migctl_is_leader() {
  _migctl_stat=
  [ -r "/proc/$$/stat" ] && read -r _migctl_stat <"/proc/$$/stat" || return 1
  # shellcheck disable=SC2086 # split on purpose; globbing is off
  set -- ${_migctl_stat##*\)}
  [ "${4-}" = "$$" ]
}

trap _migctl_forward TERM
if _migctl_is_leader; then
  _migctl_leader=1
  trap _migctl_forward INT HUP
else
  _migctl_leader=
  trap '' INT HUP
fi

# One write(2) of a few bytes, and the newline last: see supervisor.pid above.
printf '%s\n' "$$" >"$_migctl_dir/supervisor.pid"

_migctl_which setsid
_migctl_setsid=$_migctl_v
_migctl_which env
_migctl_env=$_migctl_v
_migctl_defaults=
if [ -n "$_migctl_leader" ] && [ -n "$_migctl_env" ]; then
  case ${MIGCTL_SUPERVISOR_DEFAULT_SIGNAL-} in
    "yes:$_migctl_env") _migctl_defaults=--default-signal ;;
    "no:$_migctl_env") ;;
    *)
      if "$_migctl_env" --default-signal "$_migctl_env" >/dev/null 2>&1; then
        _migctl_defaults=--default-signal
      fi
      ;;
  esac
fi
unset MIGCTL_SUPERVISOR_DEFAULT_SIGNAL

# Replaces this (sub)shell by the command "$@": env [--default-signal] [-u NAME...] --
# [NAME=VALUE...] setsid -- COMMAND [ARG...]. The prefix is appended, then the command
# rotated behind it, as POSIX sh has one list only.
_migctl_exec() {
  case ${MIGCTL_SUPERVISOR_SET-} in '' | *[!0-9]*) MIGCTL_SUPERVISOR_SET=0 ;; esac
  # Without env(1), or when env would take the command for a NAME=VALUE (no setsid before
  # it), the command gets the environment as this shell passes it on.
  _migctl_direct=
  [ -n "$_migctl_env" ] || _migctl_direct=1
  if [ -z "$_migctl_setsid" ]; then
    case $1 in *=*) _migctl_direct=1 ;; esac
  fi
  if [ -n "$_migctl_direct" ]; then
    while [ "$MIGCTL_SUPERVISOR_SET" -gt 0 ]; do
      MIGCTL_SUPERVISOR_SET=$((MIGCTL_SUPERVISOR_SET - 1))
      unset "MIGCTL_SUPERVISOR_SET_$MIGCTL_SUPERVISOR_SET"
    done
    unset MIGCTL_SUPERVISOR_SET MIGCTL_SUPERVISOR_UNSET
    [ -z "$_migctl_setsid" ] || exec "$_migctl_setsid" -- "$@"
    exec "$@"
  fi
  _migctl_n=$#
  set -- "$@" "$_migctl_env"
  [ -z "$_migctl_defaults" ] || set -- "$@" "$_migctl_defaults"
  for _migctl_v in ${MIGCTL_SUPERVISOR_UNSET-}; do
    set -- "$@" -u "$_migctl_v"
  done
  set -- "$@" --
  _migctl_i=0
  while [ "$_migctl_i" -lt "$MIGCTL_SUPERVISOR_SET" ]; do
    eval "_migctl_v=\${MIGCTL_SUPERVISOR_SET_$_migctl_i-}"
    set -- "$@" "$_migctl_v"
    unset "MIGCTL_SUPERVISOR_SET_$_migctl_i"
    _migctl_i=$((_migctl_i + 1))
  done
  unset MIGCTL_SUPERVISOR_SET MIGCTL_SUPERVISOR_UNSET
  [ -z "$_migctl_setsid" ] || set -- "$@" "$_migctl_setsid" --
  while [ "$_migctl_n" -gt 0 ]; do
    _migctl_v=$1
    shift
    set -- "$@" "$_migctl_v"
    _migctl_n=$((_migctl_n - 1))
  done
  exec "$@"
}

# The watcher: starts the command, waits for it without traps, records how it ended.
_migctl_watch() {
  trap '' TERM INT HUP
  (
    trap - TERM
    [ -z "$_migctl_leader" ] || trap - INT QUIT HUP
    [ ! -e "$_migctl_dir/cancel" ] || exit 143
    # shellcheck disable=SC2086 # split on purpose; globbing is off
    for _migctl_v in $_migctl_cgroups; do
      printf '0\n' >"$_migctl_v" || {
        printf 'migctl-supervisor: cannot join the cgroup %s; the command was not started\n' "$_migctl_v" >&2
        exit 126
      }
    done
    umask "$_migctl_umask"
    _migctl_exec "$@"
  ) </dev/null >>"$_migctl_dir/stdout.log" 2>>"$_migctl_dir/stderr.log" &
  _migctl_child=$!
  _migctl_put child.pid "$_migctl_child"
  if [ -e "$_migctl_dir/cancel" ]; then
    _migctl_p=$_migctl_child
    _migctl_signal_child TERM
  fi
  wait "$_migctl_child"
  _migctl_status=$?
  _migctl_put exit "status=$_migctl_status"
  exit "$_migctl_status"
}

_migctl_watch "$@" &
_migctl_watcher=$!

# A trap interrupts wait: wait again while the watcher is still there.
while :; do
  _migctl_signalled=
  wait "$_migctl_watcher"
  [ -n "$_migctl_signalled" ] || break
  kill -0 "$_migctl_watcher" 2>/dev/null || break
done

_migctl_status=125
if [ -f "$_migctl_dir/exit" ]; then
  while IFS= read -r _migctl_v; do
    case $_migctl_v in
      status=*) _migctl_status=${_migctl_v#status=} ;;
    esac
  done <"$_migctl_dir/exit"
fi
case $_migctl_status in '' | *[!0-9]*) _migctl_status=125 ;; esac
exit "$_migctl_status"
