#!/usr/bin/env bash
# Regenerates the README screenshots from the real window under Xvfb.
# Needs: apt-get install xvfb imagemagick xdotool
# Usage: screenshots/take.sh [NAME...]   (from anywhere; builds the app first,
# in release as the README runs it, so that measured figures are
# representative; with NAMEs, takes only those shots)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p wasmscope
bin=target/release/wasmscope
out=screenshots
display=:97
size=1600x1000

Xvfb "$display" -screen 0 "${size}x24" >/dev/null 2>&1 &
xvfb=$!
data=$(mktemp -d)
trap 'kill $xvfb 2>/dev/null; rm -rf "$data"' EXIT
sleep 1

# shot NAME SAMPLE TAB [EXTRA_RUNS [CLICKS...]]: open SAMPLE, run it, show
# TAB, press F5 EXTRA_RUNS times, click each X,Y in CLICKS (X,Y~N: scroll
# down N notches there instead), capture.
only=("$@")
shot() {
    local name=$1 sample=$2 tab=$3 extra=${4:-0}
    shift $(($# < 4 ? $# : 4))
    if ((${#only[@]})) && [[ " ${only[*]} " != *" $name "* ]]; then
        return 0
    fi
    DISPLAY=$display XDG_DATA_HOME=$data "$bin" --sample "$sample" --run --tab "$tab" &
    local app=$!
    sleep "${WAIT:-3}"
    local win
    win=$(DISPLAY=$display xdotool search --sync --name Wasmscope | head -1)
    for _ in $(seq 1 "$extra"); do
        DISPLAY=$display xdotool windowfocus --sync "$win" key F5
        sleep 1.5
    done
    for xy in "$@"; do
        if [[ $xy == *~* ]]; then
            # X,Y~N: N notches of the mouse wheel down at X,Y.
            local at=${xy%~*}
            DISPLAY=$display xdotool mousemove "${at%,*}" "${at#*,}" click --repeat "${xy#*~}" 5
        else
            DISPLAY=$display xdotool mousemove "${xy%,*}" "${xy#*,}" click 1
        fi
        sleep 2
    done
    # The window is 1400x860 at the top left; with no window manager,
    # grabbing the window itself yields black, so crop the screen.
    DISPLAY=$display import -window root -crop 1400x860+0+0 +repage "$out/$name.png"
    kill "$app"
    wait "$app" 2>/dev/null || true
    echo "wrote $out/$name.png"
}

shot calls-denied escape.wat calls
shot memory grow_memory.wat memory
shot timings hello.wat timings 5
shot console trap.wat console
# A C program built with -g: the trap's frames with their source lines.
shot trap-lines divide_by_zero.wasm console
shot why write_log.wasm why
# The fix button on the Why? tab (applies it and runs again), then the
# Compare tab: the two runs side by side.
shot compare write_log.wasm why 0 400,224 935,55
# Components: the Python samples compile CPython on their first run (several
# seconds; then the module cache has them).
WAIT=60 shot component-call database_connector.wasm call
WAIT=30 shot component-denied tcp_connect.wasm calls
# WASI 0.3 and wasi:http (Python: CPython compiles on the first run), and a
# composed component: its parts in the Inspector, its crossings in Calls.
WAIT=60 shot p3-calls p3_tour.wasm calls
WAIT=60 shot http-request http_hello.wasm calls
shot composition client_rust.wasm inspector
shot crossings client_rust.wasm calls
# The 10000 preset, then Start.
shot density hello.wat density 0 540,112 620,112
# Call stacks (strace -k): tick the box, Run, pick the first write, scroll
# its detail down to the C program's own frame.
shot call-stack divide_by_zero.wasm calls 0 991,134 276,18 449,253 600,760~3
