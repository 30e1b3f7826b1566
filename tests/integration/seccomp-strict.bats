#!/usr/bin/env bats
# Strict seccomp profiles, as callers' and distributions' older ones are:
# a default-errno allow-list that predates faccessat2, close_range, openat2,
# clone3 and statx.  Nothing the runtime does after loading the filter may
# need one of them (the PATH lookup and the fd marking fall back, as runc's
# Go runtime does), and a syscall newer than every one the profile names
# gets ENOSYS, as runc's filter gives it, so programs fall back to an older
# call.  Run against runc with MINI_RUNC=$(command -v runc).

load helpers

PROFILE=/usr/share/containers/seccomp.json

# strict_profile: podman's allow-list (every syscall it allows without
# conditions on amd64) minus the five, the rest refused with EPERM.
strict_profile() {
	[ -r "$PROFILE" ] || skip "no $PROFILE (golang-github-containers-common)"
	cfg_edit --slurpfile p "$PROFILE" '.linux.seccomp = {
		defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		syscalls: [{action: "SCMP_ACT_ALLOW", names: ([$p[0].syscalls[]
			| select(.action == "SCMP_ACT_ALLOW"
				and ((.includes // {}) | del(.arches) == {})
				and ((.includes.arches // ["amd64"]) | index("amd64") != null)
				and ((.excludes // {}) == {}) and ((.args // []) == []))
			| .names[]] | unique
			| map(select(. as $n | ["faccessat2", "close_range", "openat2",
				"clone3", "statx"] | index($n) | not)))}]}'
}

# as_user UID: the process runs as UID (its gid too).
as_user() {
	cfg_edit --argjson u "$1" '.process.user = {uid: $u, gid: $u}'
}

@test "seccomp: a strict profile without the newer syscalls runs the container (root, noNewPrivileges false)" {
	strict_profile
	cfg_edit '.process.noNewPrivileges = false'
	# a bare name (the PATH lookup) and an absolute path
	set_args sh -c 'echo ran as $(id -u); /bin/true && echo abs'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "ran as 0" ]
	[ "${lines[1]}" = abs ]
	assert_nothing_left
}

@test "seccomp: a strict profile runs the container as uid 1000, with and without noNewPrivileges" {
	strict_profile
	as_user 1000
	local nnp
	for nnp in false true; do
		cfg_edit --argjson n "$nnp" '.process.noNewPrivileges = $n'
		set_args sh -c 'echo ran as $(id -u)'
		run -0 mrc run --bundle "$BUNDLE" "$ID"
		[ "$output" = "ran as 1000" ]
	done
	cfg_edit '.process.noNewPrivileges = true | .process.user = {uid: 0, gid: 0}'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "ran as 0" ]
	assert_nothing_left
}

@test "seccomp: exec under a strict profile, and a missing command still says so" {
	strict_profile
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	run -0 mrc exec "$ID" sh -c 'echo exec-ok'
	[ "$output" = exec-ok ]
	run ! mrc exec "$ID" no-such-command
	grep_i "executable file not found"
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "seccomp: a syscall newer than every one the profile names gets ENOSYS, an older one the default errno" {
	# (runc 1.1.5 gives the same answers, but its init kills this probe
	# with SIGSEGV about one run in two here: not runc's behaviour to pin)
	requires_mini_runc
	command -v gcc >/dev/null || skip "no gcc"
	# a static probe: the errno each syscall gets
	cat >"$BATS_TEST_TMPDIR/probe.c" <<-'C'
		#define _GNU_SOURCE
		#include <errno.h>
		#include <fcntl.h>
		#include <stdio.h>
		#include <string.h>
		#include <sys/syscall.h>
		#include <unistd.h>
		static void
		probe (const char *name, long r)
		{
		  printf ("%s %s\n", name, r == 0 ? "ok" : strerrorname_np (errno));
		}
		int
		main (void)
		{
		  probe ("faccessat2", syscall (SYS_faccessat2, AT_FDCWD, "/", X_OK, 0));
		  probe ("close_range", syscall (SYS_close_range, 100, 200, 0));
		  probe ("getcwd", syscall (SYS_getcwd, (char *) 0, 0));
		  return 0;
		}
	C
	gcc -static -O2 -o "$BUNDLE/rootfs/bin/probe" "$BATS_TEST_TMPDIR/probe.c" ||
		skip "no static libc to build the probe"
	# an old allow-list: nothing newer than its newest, execve's kin; getcwd
	# (79) is older and left out, so it gets the default errno.  With
	# noNewPrivileges the filter comes last: the runtime needs none of it.
	cfg_edit '.process.noNewPrivileges = true | .linux.seccomp = {defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
		architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{action: "SCMP_ACT_ALLOW", names: ["read", "write", "openat",
			"close", "fstat", "newfstatat", "execve", "exit_group", "brk", "mmap",
			"munmap", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
			"prlimit64", "mprotect", "getrandom", "readlinkat", "uname",
			"rt_sigaction", "rt_sigprocmask", "capget", "capset", "prctl",
			"setgroups", "setresgid", "setresuid", "chdir", "fcntl", "sendmsg",
			"recvmsg", "sendto", "recvfrom", "accept4", "dup2", "dup3", "umask",
			"getdents64", "lseek", "futex", "ioctl", "poll", "getpid", "getppid",
			"getuid", "geteuid", "getgid", "getegid", "statfs", "fstatfs", "wait4",
			"access", "faccessat", "pipe2", "socket", "connect", "sigaltstack",
			"readlink", "stat", "lstat", "pread64", "exit", "kill", "tgkill",
			"getpgrp", "setsid", "setpgid", "clone", "vfork", "fork"]}]}'
	set_args /bin/probe
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "faccessat2 ENOSYS" ]
	[ "${lines[1]}" = "close_range ENOSYS" ]
	[ "${lines[2]}" = "getcwd EPERM" ]
	assert_nothing_left
}

@test "seccomp: a profile whose default is ENOSYS already (podman's: defaultErrnoRet 38) runs" {
	strict_profile
	cfg_edit '.linux.seccomp.defaultErrnoRet = 38'
	set_args sh -c 'echo ran'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = ran ]
	assert_nothing_left
}
