#!/bin/bash
# Resident memory of the viewer around a long prompt: a short prompt (before), a long prompt typed into
# the panel and run (during: its peak), the short prompt again (after, sampled for 70 s): whether a
# long prompt's peak stays.
#
#   tests/tools/long_prompt_memory.sh MODEL_DIR LONG.txt [LABEL]   (repository root, release build)
#
# MODEL_DIR: e.g. /tmp/gpt2-shape (tests/tools/gpt2_shape.py makes it); LONG.txt: text of at least
# 1024 tokens. FACTORY_KEEP_FREED_MEMORY=1 in the environment measures the old behaviour. Needs Xvfb,
# xdotool and ImageMagick's import (screenshots of each phase beside the log). Clicks at the panel's
# places at 1280x720.
MODEL=$1
LONG=$2
LABEL=${3:-run}
BIN=${FACTORY_BIN:-target/release/factory}
export DISPLAY=${MEMORY_DISPLAY:-:56} XDG_RUNTIME_DIR=$(mktemp -d) WGPU_BACKEND=${WGPU_BACKEND:-vulkan}
Xvfb "$DISPLAY" -screen 0 1280x720x24 >/dev/null 2>&1 &
XV=$!
sleep 2
"$BIN" --model "$MODEL" --prompt "Hello there" >"memory-$LABEL.log" 2>&1 &
APP=$!
trap 'kill $APP $XV 2>/dev/null' EXIT
rss() { awk '/VmRSS/{print $2}' /proc/$APP/status; }
sleep 60
echo "$LABEL before (short prompt, 60 s): $(rss) KiB"
xdotool windowfocus "$(xdotool search --pid $APP | head -1)"
# empty the prompt box, type, press Run (whose place depends on the box's height: $2)
clear_and_type() {
    xdotool mousemove 160 135 click 1
    sleep 1
    xdotool key --delay 1 --repeat 8000 Delete
    xdotool key --delay 1 --repeat 8000 BackSpace
    xdotool type --delay 1 "$1"
    sleep 1
    xdotool mousemove 49 "$2" click 1
}
clear_and_type "$(cat "$LONG")" 204
peak=0
for _ in $(seq 1 60); do
    r=$(rss)
    [ "$r" -gt $peak ] && peak=$r
    sleep 1
done
echo "$LABEL during (60 s): now $(rss) KiB, peak $peak KiB"
import -window root "memory-$LABEL-long.png"
clear_and_type "Hello there" 168
prev=0
for s in 5 10 20 40 70; do
    sleep $((s - prev))
    prev=$s
    echo "$LABEL after, $s s: $(rss) KiB"
done
import -window root "memory-$LABEL-short.png"
