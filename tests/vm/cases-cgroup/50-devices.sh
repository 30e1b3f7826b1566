# The device eBPF program: a device the rules deny cannot be opened even
# when its node is in the container; an allowed one can.  /dev/kmsg is
# bind-mounted (not listed in linux.devices, which would allow it).
. /tests/lib.sh

KMSG=', {"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}'
PROBE='echo probe >/dev/null && echo null-ok; head -c 4 /dev/zero >/dev/null && echo zero-ok; if echo probe >/dev/kmsg; then echo kmsg-ok; else echo kmsg-denied; fi'

new_bundle devdeny
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}]'
sh_args "$PROBE"
run_ctr
check "/dev/null (a default device) opens under deny-all" in_out "^null-ok" || diag_file "$B/out"
check "/dev/zero (a default device) opens under deny-all" in_out "^zero-ok"
if in_out "^kmsg-denied" && in_out "ermission denied\|ot permitted"; then
	ok "/dev/kmsg (c 1:11) cannot be opened when the rules deny it"
else
	not_ok "/dev/kmsg (c 1:11) cannot be opened when the rules deny it"
	diag_file "$B/out"
fi

new_bundle devallow
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
sh_args "$PROBE"
run_ctr
if in_out "^kmsg-ok"; then
	ok "/dev/kmsg opens for writing once a rule allows c 1:11 w"
else
	not_ok "/dev/kmsg opens for writing once a rule allows c 1:11 w"
	diag_file "$B/out"
fi

# Access types count: "r" does not allow opening for writing.
new_bundle devread
MOUNTS=$KMSG
RESOURCES='"devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 11, "access": "r"}]'
sh_args "$PROBE"
run_ctr
if in_out "^kmsg-denied"; then
	ok "a rule allowing c 1:11 r does not allow opening it for writing"
else
	not_ok "a rule allowing c 1:11 r does not allow opening it for writing"
	diag_file "$B/out"
fi
