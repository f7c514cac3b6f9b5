# Processes of a throwaway root (a chroot a test installs packages into):
# every process whose root directory is DIR or below it, that is the
# daemons started there and the chroots they make below it (the agent's
# worker).  Source after tap.sh.
#
#   rooted_pids DIR             their pids, one per line
#   kill_rooted DIR [PID...]    SIGTERM to them (and to the PIDs), SIGKILL
#                               0.3 s later to whatever is left
rooted_pids() {
    local dir=$1 p r
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        case $r in "$dir"|"$dir"/*) echo "${p#/proc/}" ;; esac
    done
}

kill_rooted() {
    local dir=$1 p; shift
    for p in "$@" $(rooted_pids "$dir"); do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "$@" $(rooted_pids "$dir"); do kill -9 "$p" 2>/dev/null; done
}
