#!/usr/bin/env bats
# buildah (Debian's 1.28) running the RUN steps of a build and `buildah
# run` on mini-runc, chosen with `buildah --runtime PATH` and
# `--isolation oci`, with buildah's stock settings.  buildah runs
# privately: its own --root and --runroot (vfs storage) and TMPDIR (where
# it makes each step's bundle), all under the test's directory; the base
# image is a busybox rootfs packed as an OCI archive (FROM
# oci-archive:...).  Every step and `buildah run` has --network none: a
# network namespace of its own with only lo (buildah's default would set
# up its CNI bridge and firewall rules on the shared host).  buildah
# passes no --root to the runtime: the state is in the runtime's default
# root.  teardown checks that every container the test created left no
# cgroup, process, mount or runtime state behind (cw_assert_clean);
# teardown_file removes buildah's containers and images and the
# directories.

load callers-helpers

B() {
	TMPDIR=$CW_DIR/tmp timeout -k 5 120 buildah --root "$CW_DIR/root" \
		--runroot "$CW_DIR/runroot" --storage-driver vfs "$@"
}

setup_file() {
	[ "$(id -u)" = 0 ] || { cw_file_skip "needs root"; return 0; }
	cw_install buildah
	command -v buildah >/dev/null || { cw_file_skip "buildah not installed"; return 0; }
	[ -x "$MINI_RUNC" ] || { cw_file_skip "no $MINI_RUNC (run make)"; return 0; }
	CW_DIR=$(mktemp -d /tmp/mrc-buildah.XXXXXX)
	export CW_DIR
	mkdir -p "$CW_DIR"/{root,runroot,tmp}
	cw_make_wrapper "$CW_DIR"
	cw_rootfs "$CW_DIR/rootfs"
	mk_oci_image "$CW_DIR/rootfs" "$CW_DIR/busybox.tar" localhost/mrc-busybox:latest
}

teardown_file() {
	if [ -z "${CW_DIR:-}" ] || [ ! -d "$CW_DIR" ]; then return 0; fi
	B rm -a >/dev/null 2>&1 || true
	B rmi -a -f >/dev/null 2>&1 || true
	cw_umount_under "$CW_DIR"
	rm -rf "$CW_DIR"
}

setup() {
	cw_file_skipped
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
}

teardown() {
	[ -z "${CW_FILE_SKIP:-}" ] || return 0
	local clean=0
	cw_assert_clean || clean=1
	[ -n "${BATS_TEST_COMPLETED:-}" ] && [ "$clean" = 0 ] || {
		echo "---- last command's output ----" >&2
		echo "${output:-}" >&2
		cw_show_log
	}
	return "$clean"
}

@test "buildah bud --isolation oci: the RUN steps run on mini-runc; buildah run of the result" {
	local ctx=$BATS_TEST_TMPDIR/ctx c
	mkdir -p "$ctx"
	echo copied >"$ctx/file.txt"
	cat >"$ctx/Dockerfile" <<-EOF
	FROM oci-archive:$CW_DIR/busybox.tar
	ENV GREETING=built
	WORKDIR /work
	COPY file.txt .
	RUN echo "run step: \$GREETING in \$(pwd) as \$(id -u)" >/work/ran && cat /work/file.txt >>/work/ran
	CMD ["cat", "/work/ran"]
	EOF
	run -0 B --runtime "$CW_WRAP" bud --isolation oci --network none -t mrc-built "$ctx"
	[[ "$output" == *"Successfully tagged localhost/mrc-built:latest"* ]]
	# the RUN step: a bundle under buildah's TMPDIR, created, started and
	# deleted by the runtime under test
	grep -q -- "argv: create --bundle $CW_DIR/tmp/buildah[0-9]* " "$CW_LOG"
	grep -q -- "argv: delete buildah-buildah" "$CW_LOG"
	c=$(B from localhost/mrc-built)
	run -0 B --runtime "$CW_WRAP" run --isolation oci --network none "$c" -- cat /work/ran
	[ "$output" = "run step: built in /work as 0
copied" ]
	# buildah run gives the process's exit status
	run -3 B --runtime "$CW_WRAP" run --isolation oci --network none "$c" -- sh -c 'echo $GREETING; ls /sys/class/net; exit 3'
	[[ "$output" == "built
lo"* ]]
	run -0 B rm "$c"
}
