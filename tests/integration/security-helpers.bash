# Helpers for security.bats (loaded after helpers.bash).

# Skip until the lead has wired src/security into the init sequence
# (MRC_SECURITY_WIRED=1 forces the tests, for a binary built elsewhere).
requires_security_wired() {
	is_mini_runc || return 0
	[ -z "${MRC_SECURITY_WIRED:-}" ] || return 0
	grep -qs mrc_security_prepare "$REPO_ROOT"/src/process/*.c \
		"$REPO_ROOT"/src/lifecycle/*.c ||
		skip "security not wired yet"
}

# status_field NAME: the value of NAME: in $output (a /proc/PID/status dump).
status_field() {
	awk -v k="$1:" '$1 == k {print $2}' <<<"$output"
}

# Capability sets as /proc/self/status prints them.
CAP_CHOWN_BIND=0000000000000401 # CAP_CHOWN (0) and CAP_NET_BIND_SERVICE (10)
CAP_BIND=0000000000000400

# set_caps JSON-ARRAY: bounding, effective and permitted to the same list,
# inheritable and ambient empty.
set_caps() {
	cfg_edit --argjson c "$1" \
		'.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
		                          inheritable: [], ambient: []}'
}

# A seccomp profile that allows everything but the given syscalls, which
# fail with ERRNO (default EPERM).
# deny_syscalls ERRNO NAME...
deny_syscalls() {
	local errno=$1 names
	shift
	names=$(jq -n '$ARGS.positional' --args "$@")
	cfg_edit --argjson e "$errno" --argjson n "$names" \
		'.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		  architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		  syscalls: [{names: $n, action: "SCMP_ACT_ERRNO", errnoRet: $e}]}'
}
