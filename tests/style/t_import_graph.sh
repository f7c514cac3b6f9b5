#!/usr/bin/env bash
# The include graph of subagent/, controller/ and common/ has no circle.
#
# A module is a .c file and its .h (dir/name); module A imports module B
# when a file of A includes B's header (#include "b.h", looked up in A's
# folder, then in common/ as the build's -Icommon does).  A circle
# (A imports B ... imports A) means neither can be read, tested or
# replaced alone.  tsort(1) finds it and names the modules of each loop.
# The script first proves on a small tree with a circle that it sees one.
set -u
ROOT=${LAMON_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib/tap.sh"

# edges TREE: "A B" per import, and "A A" for every module.
edges() {
    local tree=$1 f dir mod inc target
    for f in "$tree"/subagent/*.[ch] "$tree"/controller/*.[ch] "$tree"/common/*.[ch]; do
        [ -f "$f" ] || continue
        dir=$(basename "$(dirname "$f")")
        mod=$dir/$(basename "${f%.*}")
        echo "$mod $mod"
        while read -r inc; do                # one line per #include "..."
            if [ -f "$tree/$dir/$inc" ]; then
                target=$dir/$inc
            elif [ -f "$tree/common/$inc" ]; then
                target=common/$inc
            else
                continue                     # a system or library header
            fi
            target=$(cd "$tree" && realpath -m --relative-to=. "$target")
            target=${target%.*}
            [ "$target" = "$mod" ] || echo "$mod $target"
        done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    done | sort -u
}

# loops GRAPH: tsort's report of the circles, empty when there is none.
loops() { printf '%s\n' "$1" | tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p'; }

# Self-test: a tree where a.c includes b.h and b.c includes a.h.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/controller" "$tmp/common"
printf '#include "b.h"\n' >"$tmp/controller/a.c"; : >"$tmp/controller/a.h"
printf '#include "a.h"\n#include "c.h"\n' >"$tmp/controller/b.c"; : >"$tmp/controller/b.h"
: >"$tmp/common/c.h"
like "$(loops "$(edges "$tmp")")" "controller/a" "a circle a.c -> b.h, b.c -> a.h is found"

graph=$(edges "$ROOT")
mods=$(printf '%s\n' "$graph" | awk '{ print $1 }' | sort -u | wc -l)
imports=$(printf '%s\n' "$graph" | awk '$1 != $2' | wc -l)
if [ "$mods" -ge 20 ] && [ "$imports" -ge 20 ]; then
    ok "include graph read: $mods modules, $imports imports"
else
    fail "include graph of $ROOT: only $mods modules, $imports imports"
fi
found=$(loops "$graph")
is "$found" "" "no import circle in subagent/, controller/, common/"
if [ -n "$found" ]; then
    # The imports between modules of the loops: where to cut.
    printf '%s\n' "$graph" | awk '$1 != $2' | while read -r a b; do
        if printf '%s\n' "$found" | grep -qxF "$a" && printf '%s\n' "$found" | grep -qxF "$b"; then
            diag "  $a imports $b"
        fi
    done
fi
done_testing
