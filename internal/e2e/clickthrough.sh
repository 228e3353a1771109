# shellcheck shell=bash
# The Xvfb click-through, sourced by ./dev (`./dev clickthrough DIR`): it
# drives the real GL window of an e2e+clickthrough build through every control
# against the stand-ins, and writes one screenshot per step into DIR.
#
# Targeting: the clickthrough build writes what the window shows (each
# widget's type, text, rectangle, on/off; dialogs as higher layers) to
# $LTX_LAYOUT_DUMP when sent SIGUSR1 (internal/layoutdump). Every click goes
# to a widget found there by its label, never to a guessed coordinate; Xvfb
# has no window manager, so the 1280×800 window sits at 0,0 and window
# pixels are screen pixels. Waits poll real state (files the engine writes,
# widgets appearing), each with a bound.

x_clickthrough() {
	local dir=$1
	CT_DIR=$dir CT_LOG=$dir/app.log CT_DUMP=$dir/layout.tsv CT_N=0
	# shellcheck disable=SC1091
	. "$E2E_WORLD/env.sh"
	export HOME=$E2E_WORLD/user LTX_LAYOUT_DUMP=$CT_DUMP
	mkdir -p "$HOME"
	ct_media "$HOME"
	ct_launch
	CT_NOT_NOW=1 ct_setup
	ct_tabs
	local i
	for i in 1 2 3 4 5 6; do ct_mode "$i"; done
	ct_result_actions
	ct_history_and_queue
	ct_settings
	ct_quit ctrl-q
	ct_launch
	ct_quit close
	ct_launch
	ct_quit sigterm
	# Fyne's file dialog logs "Getting favorite locations" when a fresh HOME
	# has no Documents, Music… folders yet; anything else is ours.
	if grep -E "panic|Fyne error" "$CT_DIR"/app*.log | grep -v -e "Preferences load error" -e "Getting favorite locations" >&2; then die "errors in the app log"; fi
	say "click-through passed: $CT_N screenshots in $dir"
}

# ct_media makes one small file of each kind the slots take.
ct_media() {
	ffmpeg -v error -y -f lavfi -i "testsrc=size=640x360" -frames:v 1 "$1/still.png"
	ffmpeg -v error -y -f lavfi -i "sine=frequency=440:duration=3" "$1/speech.wav"
	ffmpeg -v error -y -f lavfi -i "testsrc=size=640x360:rate=24:duration=2" -pix_fmt yuv420p "$1/clip.mp4"
}

ct_launch() {
	CT_RUN=$((${CT_RUN:-0} + 1))
	CT_LOG=$CT_DIR/app$CT_RUN.log
	read -r CT_PID CT_WID < <(x_start "$CT_LOG")
	ct_wait "the first frame" ct_has_any
}

ct_shot() { # name: a screenshot once the window has settled
	sleep "${2:-0.6}"
	CT_N=$((CT_N + 1))
	local f
	f=$(printf '%s/%02d-%s.png' "$CT_DIR" "$CT_N" "$1")
	import -window root "$f"
	say "screenshot $(basename "$f")"
	# A widget whose minimum is too wide makes Fyne grow the window past the
	# 1280-pixel screen, cutting off the right-hand panel: fail on it.
	local WIDTH=0
	eval "$(xdotool getwindowgeometry --shell "$CT_WID" 2>/dev/null | grep '^WIDTH=')" || true
	[ "${WIDTH:-0}" -le 1280 ] || die "the window grew to $WIDTH pixels wide at $(basename "$f")"
}

# ct_dump asks the window for its layout and waits for the file.
ct_dump() {
	rm -f "$CT_DUMP"
	kill -USR1 "$CT_PID" 2>/dev/null || die "the app is gone (see $CT_LOG)"
	for _ in $(seq 1 100); do [ -s "$CT_DUMP" ] && return 0; sleep 0.05; done
	die "the window wrote no layout dump in 5 s"
}

# ct_find TEXT [TYPE] [N]: "x y state" of the Nth widget showing TEXT
# exactly (TEXT ending in * matches a prefix), on the topmost layer that has
# one; TYPE is a suffix of the Go type, e.g. Button or tabButton.
ct_find() {
	awk -F'\t' -v t="$1" -v ty="${2:-}" '
		{ ok = (substr(t, length(t)) == "*") ? index($8, substr(t, 1, length(t) - 1)) == 1 : $8 == t }
		ok && (ty == "" || tolower($2) ~ (tolower(ty) "$")) { print $1, int($3 + $5 / 2), int($4 + $6 / 2), $7 }' "$CT_DUMP" |
		sort -s -k1,1nr | awk -v n="${3:-1}" 'NR == 1 { top = $1 } $1 == top && ++c == n { print $2, $3, $4; exit }'
}

ct_count() { # TEXT [TYPE]: how many widgets show TEXT on layer 0
	awk -F'\t' -v t="$1" -v ty="${2:-}" '$1 == 0 && $8 == t && (ty == "" || tolower($2) ~ (tolower(ty) "$"))' "$CT_DUMP" | wc -l
}

ct_has() { ct_dump && [ -n "$(ct_find "$@")" ]; }
ct_has_any() { ct_dump && [ -s "$CT_DUMP" ]; }
ct_enabled() { ct_dump && ct_find "$@" | grep -q ' on$'; }
ct_dialog_open() { ct_dump && awk -F'\t' '$1 > 0 { f = 1 } END { exit !f }' "$CT_DUMP"; }
ct_no_dialog() { ! ct_dialog_open; }

# ct_click TEXT [TYPE] [N]: click a widget by its label; it must be enabled.
ct_click() {
	ct_dump
	local x y state
	read -r x y state < <(ct_find "$@") || true
	[ -n "${x:-}" ] || { cp "$CT_DUMP" "$CT_DIR/layout-missing.tsv"; die "no \"$1\" ${2:-} on screen (layout in layout-missing.tsv)"; }
	[ "$state" = on ] || die "\"$1\" is disabled"
	xdotool mousemove "$x" "$y" click 1
	sleep 0.2
}

ct_wait() { # what, command…: polls for up to 60 s
	local what=$1
	shift
	for _ in $(seq 1 600); do
		"$@" && return 0
		kill -0 "$CT_PID" 2>/dev/null || { tail -20 "$CT_LOG" >&2; die "the app died waiting for $what"; }
		sleep 0.1
	done
	die "timed out waiting for $what"
}

ct_videos() { find "$LTX_STUDIO_HOME/videos" -name '*.mp4' 2>/dev/null | wc -l; }
ct_more_videos() { [ "$(ct_videos)" -gt "$1" ]; }

# ct_setup goes through the first-run setup: checks, then the models page,
# whose one button installs ComfyUI and downloads the models at once.
ct_setup() {
	ct_wait "the setup checks" ct_enabled "Choose models" Button
	ct_shot setup-checks
	if [ "${CT_NOT_NOW:-0}" = 1 ]; then
		# "Not now": the studio without ComfyUI; Generate says why it cannot
		# (not "wait until ready"), and the header's Finish setup comes back.
		ct_click "Not now" Button
		ct_wait "the studio" ct_has "Finish setup" Button
		ct_click "placeholder:Describe the shot*" Entry
		xdotool type --delay 2 "A lighthouse at dusk"
		xdotool key ctrl+Return
		ct_wait "the not-installed message" ct_has "ComfyUI is not installed yet*"
		ct_shot not-now-generate
		ct_click "A lighthouse at dusk" Entry # empty the prompt again for the modes
		xdotool key ctrl+a BackSpace
		ct_click "Finish setup" Button
		ct_wait "the setup checks" ct_enabled "Choose models" Button
	fi
	ct_click "Choose models" Button
	ct_shot setup-models
	ct_click "Install and download" Button
	ct_shot setup-installing 1
	ct_wait "the install and the downloads" grep -qs '"setup_done": true' "$LTX_STUDIO_HOME/config/settings.json"
	ct_wait "the Ready page" ct_has "Start creating" Button
	ct_shot setup-ready
	ct_click "Start creating" Button
	ct_wait "ComfyUI to start" grep -q "ComfyUI launched" "$CT_LOG"
	ct_shot studio 1.5
}

ct_tabs() {
	local t
	for t in Queue History Settings Logs Result; do
		ct_click "$t" tabButton
		ct_shot "tab-$t"
	done
}

# ct_mode N: Ctrl+N, then every button of the form: each Choose… opened and
# cancelled, opened again and a file chosen, Clear, the file chosen again,
# then Generate and the finished video.
ct_mode() {
	local i=$1 n k before x y
	xdotool key "ctrl+$i"
	ct_shot "mode$i"
	ct_dump
	n=$(ct_count "Choose…" Button)
	for k in $(seq 1 "$n"); do
		ct_click "Choose…" Button "$k"
		ct_wait "the file dialog" ct_has "Cancel" Button
		ct_shot "mode$i-slot$k-dialog"
		ct_click "Cancel" Button
		ct_wait "the file dialog to close" ct_no_dialog
		ct_choose "$k"
		ct_shot "mode$i-slot$k-chosen" 1.2
	done
	if [ "$n" -gt 0 ]; then # Clear (the slot's × button) the first slot, then fill it again
		ct_dump
		# the first unlabelled button left of the output panel (whose left
		# edge is the Result tab's)
		read -r x y _ < <(awk -F'\t' '$2 ~ /tabButton$/ && $8 == "Result" { edge = $3 }
			{ rows[NR] = $0 }
			END { for (i = 1; i <= NR; i++) { split(rows[i], f, "\t")
				if (f[1] == 0 && f[2] ~ /Button$/ && f[8] == "" && f[3] < edge) { print int(f[3] + f[5] / 2), int(f[4] + f[6] / 2); exit } } }' "$CT_DUMP") || true
		[ -n "${x:-}" ] || die "no clear button on the first slot"
		xdotool mousemove "$x" "$y" click 1
		ct_shot "mode$i-cleared"
		ct_choose 1
	fi
	ct_click "placeholder:Describe the shot*" Entry
	xdotool type --delay 2 "A lighthouse on a cliff at dusk, waves crashing"
	ct_wait "Generate to turn on" ct_enabled "Generate" Button
	ct_shot "mode$i-filled" 1
	before=$(ct_videos)
	ct_click "Generate" Button
	ct_wait "the mode $i video (or its missing models)" ct_video_or_missing "$before"
	if ! ct_more_videos "$before"; then # this mode's models were not chosen in setup
		ct_shot "mode$i-missing-models"
		ct_click "Download" Button
		ct_wait "the mode $i video" ct_more_videos "$before"
	fi
	ct_shot "mode$i-result" 1.5
}

ct_video_or_missing() { ct_more_videos "$1" || ct_has "Download" Button; }

# ct_choose K: Choose… on slot K, pick our file of the slot's kind in the
# dialog (its filter shows only that kind), Open, and wait for the check.
ct_choose() {
	ct_click "Choose…" Button "$1"
	ct_wait "the file dialog" ct_has "Cancel" Button
	local f
	local f tries
	for tries in 1 2 3; do
		for f in still speech clip; do # the dialog shows names without extensions
			if [ -n "$(ct_find "$f" fileDialogItem)" ]; then
				ct_click "$f" fileDialogItem
				break
			fi
		done
		ct_enabled "Open" Button && break
	done
	ct_click "Open" Button
	ct_wait "the file dialog to close" ct_no_dialog
	ct_wait "the file check" ct_checked
}

ct_checked() { ct_dump && ! grep -q $'\tChecking…$' "$CT_DUMP"; }

# ct_close_notice closes the "Nothing opened" dialog a desktop without
# xdg-open (CI) answers Open folder and System player with.
ct_close_notice() {
	if ct_dialog_open; then ct_click "OK" Button; ct_wait "the notice to close" ct_no_dialog; fi
}

ct_result_actions() {
	local before
	ct_click "Result" tabButton
	before=$(ct_videos)
	ct_click "Re-run" Button
	ct_wait "the re-run" ct_more_videos "$before"
	ct_shot rerun 1.5
	before=$(ct_videos)
	ct_click "Re-run with seed*" Button
	ct_wait "the re-run with the next seed" ct_more_videos "$before"
	ct_shot rerun-next-seed 1.5
	ct_click "Load settings" Button
	ct_shot load-settings
	ct_click "Open folder" Button
	ct_shot open-folder 1.5
	ct_close_notice
	ct_click "System player" Button
	ct_shot system-player 1.5
	ct_close_notice
	# Export: a save dialog; type the file name into it and save.
	ct_click "Export workflow" Button
	ct_wait "the save dialog" ct_has "Save" Button
	ct_shot export-dialog
	xdotool key ctrl+a
	xdotool type --delay 2 "exported.workflow_api.json"
	ct_click "Save" Button
	ct_wait "the exported workflow" test -s "$HOME/exported.workflow_api.json"
	ct_shot exported
}

ct_history_and_queue() {
	ct_click "History" tabButton
	ct_wait "the history rows" ct_has "Play" Button
	ct_shot history
	local b
	for b in Play Folder "Re-run" Settings; do
		ct_click "History" tabButton
		ct_click "$b" Button 1
		ct_shot "history-$b" 1.5
		ct_close_notice
	done
	ct_click "History" tabButton
	ct_click "Delete" Button 1
	ct_wait "the delete question" ct_dialog_open
	ct_shot history-delete-ask
	ct_click "Cancel" Button
	ct_click "Queue" tabButton
	ct_shot queue
}

# ct_scroll_to TEXT TYPE: wheel the settings panel down until TEXT shows.
ct_scroll_to() {
	local x
	for _ in $(seq 1 12); do
		ct_has "$@" && return 0
		# over the field labels at the panel's left edge (an entry would
		# take the wheel for itself)
		x=$(awk -F'\t' '$2 ~ /tabButton$/ && $8 == "Result" { print $3 + 30 }' "$CT_DUMP")
		xdotool mousemove "${x:-760}" 450 click --repeat 3 5
		sleep 0.2
	done
	die "\"$1\" never scrolled into sight"
}

ct_settings() {
	ct_click "Settings" tabButton
	ct_shot settings
	# The folder buttons beside the path fields (icon-only): each opens a
	# folder dialog, cancelled.
	local k n
	ct_dump
	n=$(awk -F'\t' '$1 == 0 && $2 ~ /Button$/ && $8 == "" && $3 > 1200' "$CT_DUMP" | wc -l)
	for k in $(seq 1 "$n"); do
		ct_dump
		read -r x y _ < <(awk -F'\t' '$1 == 0 && $2 ~ /Button$/ && $8 == "" && $3 > 1200 { print int($3 + $5 / 2), int($4 + $6 / 2) }' "$CT_DUMP" | sed -n "${k}p")
		xdotool mousemove "$x" "$y" click 1
		ct_wait "the folder dialog" ct_has "Cancel" Button
		ct_shot "settings-folder$k"
		ct_click "Cancel" Button
		ct_wait "the folder dialog to close" ct_no_dialog
	done
	ct_click "Unload models" Button 1
	ct_shot unload
	ct_scroll_to "Repair" Button
	ct_shot settings-maintenance
	if ct_find "Roll back" Button | grep -q ' on$'; then
		ct_click "Roll back" Button
		ct_wait "the roll back question" ct_dialog_open
		ct_shot rollback-ask
		ct_click "Cancel" Button
	else # one install so far: nothing to roll back to, and the button says so
		ct_shot rollback-off
	fi
	ct_click "Repair" Button
	ct_wait "the repair question" ct_dialog_open
	ct_shot repair-ask
	ct_click "Repair" Button 1
	ct_wait "setup" ct_has "Check again" Button
	ct_shot repair-setup
	xdotool key Escape
	ct_wait "the studio" ct_has "Generate" Button
	ct_shot after-repair
}

# ct_quit HOW: Ctrl+Q, the window's close request, or SIGTERM; the app must
# be gone within 20 s (its own deadline is 15 s) and leave no ComfyUI.
ct_quit() {
	local how=$1 t0
	t0=$(date +%s%N)
	case $how in
	ctrl-q) xdotool key ctrl+q ;;
	close) "$E2E_WORLD/xclose" "$CT_WID" ;;
	sigterm) kill -TERM "$CT_PID" ;;
	esac
	for _ in $(seq 1 200); do kill -0 "$CT_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$CT_PID" 2>/dev/null; then
		kill -KILL "$CT_PID"
		die "the app did not quit within 20 s of $how"
	fi
	wait "$CT_PID" 2>/dev/null || true
	ct_shot "quit-$how" 0.1
	for _ in $(seq 1 50); do pgrep -f "$E2E_WORLD/bin/fakecomfy" >/dev/null || break; sleep 0.1; done
	if pgrep -f "$E2E_WORLD/bin/fakecomfy" >/dev/null; then die "ComfyUI (stand-in) left running after $how"; fi
	say "$how quit in $((($(date +%s%N) - t0) / 1000000)) ms, ComfyUI stopped"
}
