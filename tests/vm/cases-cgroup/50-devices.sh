# The device rules (cgroup2: an eBPF program; v1: the devices controller's
# devices.deny and devices.allow): a device the rules deny cannot be
# opened even when its node is in the container; an allowed one can.
# /dev/kmsg is bind-mounted (not listed in linux.devices, which would
# allow it).
. /tests/lib.sh

# v1_list_has RULE: the v1 devices.list of the container lists RULE.
v1_list_has() {
	grep -qxF "$1" "$(cg_path devices.list)"
}

# v1_rules DESC-SUFFIX KMSG-RULE-OR-EMPTY: on v1, the whitelist is no longer
# "a *:* rwm", holds /dev/null's rule, and holds KMSG-RULE (or no c 1:11
# rule at all when it is empty).
v1_rules() {
	local bad=0
	[ "$LAYOUT" = v1 ] || return 0
	if v1_list_has "a *:* rwm"; then
		not_ok "v1 devices.list is not allow-all ($1)"
		bad=1
	else
		ok "v1 devices.list is not allow-all ($1)"
	fi
	check "v1 devices.list allows /dev/null ($1)" v1_list_has "c 1:3 rwm" || bad=1
	if [ -n "$2" ]; then
		check "v1 devices.list has '$2' ($1)" v1_list_has "$2" || bad=1
	elif grep -q '^c 1:11 ' "$(cg_path devices.list)"; then
		not_ok "v1 devices.list has no rule for c 1:11 ($1)"
		bad=1
	else
		ok "v1 devices.list has no rule for c 1:11 ($1)"
	fi
	[ "$bad" = 0 ] || sed 's/^/# devices.list: /' "$(cg_path devices.list)"
}

KMSG=', {"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}'
PROBE='echo probe >/dev/null && echo null-ok; head -c 4 /dev/zero >/dev/null && echo zero-ok; if echo probe >/dev/kmsg; then echo kmsg-ok; else echo kmsg-denied; fi'

new_bundle devdeny
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}]'
sh_args "$PROBE"
run_ctr --keep
check "/dev/null (a default device) opens under deny-all" in_out "^null-ok" || diag_file "$B/out"
check "/dev/zero (a default device) opens under deny-all" in_out "^zero-ok"
if in_out "^kmsg-denied" && in_out "ermission denied\|ot permitted"; then
	ok "/dev/kmsg (c 1:11) cannot be opened when the rules deny it"
else
	not_ok "/dev/kmsg (c 1:11) cannot be opened when the rules deny it"
	diag_file "$B/out"
fi
v1_rules deny-all ""
remove_ctr

new_bundle devallow
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
sh_args "$PROBE"
run_ctr --keep
if in_out "^kmsg-ok"; then
	ok "/dev/kmsg opens for writing once a rule allows c 1:11 w"
else
	not_ok "/dev/kmsg opens for writing once a rule allows c 1:11 w"
	diag_file "$B/out"
fi
v1_rules "c 1:11 w" "c 1:11 w"
remove_ctr

# Access types count: "r" does not allow opening for writing.
new_bundle devread
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
sh_args "$PROBE"
run_ctr --keep
if in_out "^kmsg-denied"; then
	ok "a rule allowing c 1:11 r does not allow opening it for writing"
else
	not_ok "a rule allowing c 1:11 r does not allow opening it for writing"
	diag_file "$B/out"
fi
v1_rules "c 1:11 r" "c 1:11 r"
remove_ctr

# Containers with the same rules share one loaded program (cgroup2: its id
# is a hint in the state root, src/cgroup/devices.c): while a container
# whose rules allow c 1:11 w runs, another with those rules may open
# /dev/kmsg, and one whose rules deny it still may not.
new_bundle devkeep
MOUNTS=$KMSG
ALLOW_KMSG='"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
RESOURCES=$ALLOW_KMSG
ARGS='["sleep", "1000"]'
check "a container allowing c 1:11 w keeps running" start_ctr || diag_file "$B/out"
keep=$ID
for rules in allow deny; do
	new_bundle "devshared-$rules"
	MOUNTS=$KMSG
	if [ "$rules" = allow ]; then
		RESOURCES=$ALLOW_KMSG want=ok seen=allowed
	else
		RESOURCES='"devices": [{"allow": false, "access": "rwm"}]' want=denied seen=denied
	fi
	sh_args "$PROBE"
	run_ctr --keep
	if in_out "^kmsg-$want"; then
		ok "next to it, a container whose rules $rules c 1:11 finds /dev/kmsg $seen"
	else
		not_ok "next to it, a container whose rules $rules c 1:11 finds /dev/kmsg $seen"
		diag_file "$B/out"
	fi
	remove_ctr
done
mrc delete --force "$keep" >/dev/null 2>&1
