#!/bin/bash
# The windowed kiosk in its own process under Xvfb, driven by random visitor input (clicks, drags,
# keys, typed words, idle spells long enough for the attract loop to come back), its resident memory
# sampled every 30 s into a CSV.
#
#   tests/tools/kiosk_soak.sh [MINUTES] [OUT.csv]      (from the repository root, after a release build)
#
# Needs Xvfb, xdotool and a Vulkan driver (lavapipe will do). Exits non-zero if the kiosk died.
set -u
MINUTES=${1:-30}
OUT=${2:-kiosk-soak.csv}
BIN=${FACTORY_BIN:-target/release/factory}
DISPLAY_NO=${SOAK_DISPLAY:-:42}
export XDG_RUNTIME_DIR=$(mktemp -d) WGPU_BACKEND=${WGPU_BACKEND:-vulkan}
Xvfb "$DISPLAY_NO" -screen 0 1280x720x24 >/dev/null 2>&1 &
XVFB=$!
export DISPLAY=$DISPLAY_NO
sleep 2
"$BIN" --kiosk >"${OUT%.csv}.log" 2>&1 &
APP=$!
trap 'kill $APP $XVFB 2>/dev/null' EXIT
sleep 30
# no F12 or K: they write files (a screenshot, a tour stop), which a visitor's kiosk does not offer
KEYS=(a b c d e f g h i j l m n o p q r s t u v w x y z space Return BackSpace Escape Tab Left Right
      Up Down F1 1 2 3 4 0 bracketleft bracketright period)
echo "seconds,rss_kib" >"$OUT"
START=$SECONDS
END=$((SECONDS + MINUTES * 60))
NEXT=$SECONDS
STATUS=0
while [ $SECONDS -lt $END ]; do
    if ! kill -0 $APP 2>/dev/null; then
        echo "the kiosk died after $((SECONDS - START)) s" >&2
        STATUS=1
        break
    fi
    X=$((RANDOM % 1280)); Y=$((RANDOM % 720))
    case $((RANDOM % 5)) in
        0) xdotool mousemove $X $Y click 1 ;;
        1) xdotool key "${KEYS[$((RANDOM % ${#KEYS[@]}))]}" ;;
        2) xdotool type --delay 40 "the cat $RANDOM sat" ;;
        3) xdotool mousemove $X $Y mousedown 1 mousemove $(((X + 200) % 1280)) $(((Y + 90) % 720)) mouseup 1 ;;
        4) xdotool mousemove $X $Y click 4 click 5 ;;
    esac
    sleep "0.$((RANDOM % 9 + 1))"
    # now and then the visitor walks away for longer than the kiosk's idle_seconds (90 s by default):
    # the idle reset brings the attract loop back
    if [ $((RANDOM % 300)) -eq 0 ]; then sleep 100; fi
    if [ $SECONDS -ge $NEXT ]; then
        echo "$((SECONDS - START)),$(awk '/VmRSS/{print $2}' /proc/$APP/status)" >>"$OUT"
        NEXT=$((SECONDS + 30))
    fi
done
exit $STATUS
