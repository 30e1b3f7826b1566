# Helpers for hooks.bats: hook scripts, adding hooks to config.json, and
# reading what the hooks recorded.
#
# Hooks get an environment of exactly their `env`: here always the test's
# MRC_TEST_TAG, so teardown finds any hook process left alive, and no PATH,
# so every command in a hook is an absolute path.
#
# The record log lives inside the rootfs ($HOOKLOG on the host, /hooklog in
# the container): createContainer hooks run before pivot_root and write it
# by its host path, startContainer hooks run inside the container's root and
# write it as /hooklog.  $HOOKLOG/order gets one line per hook run (its
# kind), $HOOKLOG/KIND.json the state it read on stdin.

# Skip unless the runtime under test runs hooks.  Against runc or crun the
# tests always run: that is how they were checked.
requires_hooks_wired() {
	is_mini_runc || return 0
	grep -qs mrc_hooks_run "$REPO_ROOT"/src/lifecycle/*.c ||
		skip "hooks not wired yet (no mrc_hooks_run call in src/lifecycle)"
}

# The runtime under a time limit: a hook bug must fail a test, not hang
# the suite.
mrct() {
	MRC_TEST_TAG=$TAG timeout -k 5 60 "$MINI_RUNC" --root "$ROOT" "$@"
}

hooks_setup() {
	HOOKLOG=$BUNDLE/rootfs/hooklog
	HOOKBIN=$BATS_TEST_TMPDIR/hookbin
	mkdir -p "$HOOKLOG" "$HOOKBIN"
	chmod 0777 "$HOOKLOG"
	RECORD=$(hook_script record "/bin/cat > \"$HOOKLOG/\$1.json\"
echo \"\$1\" >> \"$HOOKLOG/order\"")
}

# hook_script NAME BODY: an executable /bin/sh script in $HOOKBIN; prints
# its path.
hook_script() {
	local f=$HOOKBIN/$1
	printf '#!/bin/sh\n%s\n' "$2" >"$f"
	chmod 0755 "$f"
	echo "$f"
}

# hook_add KIND TIMEOUT PATH [ARG...]: append a hook (TIMEOUT 0: none).
# Without ARGs the hook has no `args`.
hook_add() {
	local kind=$1 timeout=$2 path=$3 args a
	shift 3
	# One --arg each: jq would take a positional like -c as its own option.
	args='[]'
	for a in "$@"; do
		args=$(jq -c --arg x "$a" '. + [$x]' <<<"$args")
	done
	cfg_edit --arg k "$kind" --arg p "$path" --argjson a "$args" \
		--argjson t "$timeout" --arg tag "MRC_TEST_TAG=$TAG" \
		'.hooks[$k] += [{path: $p, env: [$tag]}
		  + (if ($a | length) > 0 then {args: $a} else {} end)
		  + (if $t > 0 then {timeout: $t} else {} end)]'
}

# hook_add_recorder KIND: a hook of KIND that records its state and kind.
# startContainer runs in the container's root: it uses the container's
# busybox and writes /hooklog.
hook_add_recorder() {
	if [ "$1" = startContainer ]; then
		hook_add startContainer 0 /bin/sh sh -c \
			'/bin/cat > /hooklog/startContainer.json; echo startContainer >> /hooklog/order'
	else
		hook_add "$1" 0 "$RECORD" record "$1"
	fi
}

hook_add_all_recorders() {
	local k
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		hook_add_recorder "$k"
	done
}

# The kinds recorded so far, space-separated, in the order they ran.
hook_order() {
	[ -f "$HOOKLOG/order" ] || return 0
	tr '\n' ' ' <"$HOOKLOG/order" | sed 's/ $//'
}

# hook_state_is KIND STATUS PIDS BUNDLE: the state KIND read has our id,
# STATUS, BUNDLE, and a pid among PIDS (space-separated; "null" allowed).
hook_state_is() {
	local f=$HOOKLOG/$1.json
	echo "$1 read: $(cat "$f" 2>/dev/null)" >&2
	jq -e --arg id "$ID" --arg st "$2" --arg pids "$3" --arg b "$4" '
	  .ociVersion != null and .id == $id and .status == $st
	  and .bundle == $b
	  and ((.pid | tostring) as $p | $pids | split(" ") | any(.[]; . == $p))
	' "$f" >/dev/null
}

# assert_hook_order KIND...: the hooks that ran so far were exactly these.
assert_hook_order() {
	local got want="$*"
	got=$(hook_order)
	[ "$got" = "$want" ] || {
		echo "hooks ran: '$got', expected: '$want'" >&2
		return 1
	}
}
