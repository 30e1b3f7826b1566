# Mounts on the VM's kernel (Debian's, older than most hosts'): new
# filesystems made with fsopen/fsconfig/fsmount, a devpts gid= that a user
# namespace does not map (this kernel's devpts refuses it at the create,
# newer ones at the option), a read-only tmpcopyup tmpfs, and a refused
# option named.
. /tests/lib.sh

# in_mountinfo DEST PATTERN: the container printed DEST's mountinfo line
# and it matches PATTERN.
in_mountinfo() {
	grep " $1 " "$B/out" | grep -q -- "$2"
}

new_bundle vm-mounts
sh_args 'cat /proc/self/mountinfo'
run_ctr
expect_eq "a container with the default mounts runs" 0 "$?" || diag_file "$B/out"
check "sysfs is read-only, nosuid, nodev, noexec" \
	in_mountinfo /sys " ro,nosuid,nodev,noexec,.* - sysfs " || diag_file "$B/out"
check "devpts has its mode and ptmxmode" \
	in_mountinfo /dev/pts " - devpts .*mode=620,ptmxmode=666" || diag_file "$B/out"
check "/dev is a tmpfs with strictatime and its size" \
	in_mountinfo /dev " rw,nosuid - tmpfs .*size=65536k" || diag_file "$B/out"

new_bundle vm-userns-devpts
NAMESPACES="pid ipc uts mount cgroup network user"
LINUX=', "uidMappings": [{"containerID": 0, "hostID": 200000, "size": 1}],
  "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 1}]'
MOUNTS=', {"destination": "/mnt/pts", "type": "devpts", "source": "devpts",
  "options": ["newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]}'
chown -R 200000:200000 "$B/rootfs"
sh_args 'grep " /mnt/pts " /proc/self/mountinfo'
run_ctr
expect_eq "in a user namespace without gid 5, devpts gid=5 is dropped" 0 "$?" ||
	diag_file "$B/out"
if in_mountinfo /mnt/pts " - devpts .*mode=620" && ! in_mountinfo /mnt/pts "gid=5"; then
	ok "the devpts is mounted, without the gid"
else
	not_ok "the devpts is mounted, without the gid"
	diag_file "$B/out"
fi

new_bundle vm-copyup-ro
mkdir -p "$B/rootfs/data"
echo from-image >"$B/rootfs/data/f"
MOUNTS=', {"destination": "/data", "type": "tmpfs", "source": "tmpfs",
  "options": ["tmpcopyup", "ro", "nodev"]}'
sh_args 'cat /data/f; (echo x >/data/g) 2>/dev/null && echo wrote; grep " /data " /proc/self/mountinfo'
run_ctr
expect_eq "a read-only tmpcopyup tmpfs runs" 0 "$?" || diag_file "$B/out"
check "it holds the image's file" in_out "^from-image\$" || diag_file "$B/out"
if in_out "^wrote\$"; then
	not_ok "it refuses writes"
else
	ok "it refuses writes"
fi
check "it is read-only, mount and superblock" \
	in_mountinfo /data " ro,nodev,.* - tmpfs tmpfs ro" || diag_file "$B/out"

new_bundle vm-bad-option
MOUNTS=', {"destination": "/t", "type": "tmpfs", "source": "tmpfs",
  "options": ["nosuid", "size=lots"]}'
if run_ctr; then
	not_ok "a tmpfs with size=lots is refused"
else
	ok "a tmpfs with size=lots is refused"
fi
check "the error names the option and the filesystem's reason" \
	in_out "option \`size\`: tmpfs: Bad value for 'size'" || diag_file "$B/out"
if mrc state vm-bad-option >/dev/null 2>&1 || [ -e "$B/rootfs/t" ]; then
	not_ok "and leaves nothing behind"
else
	ok "and leaves nothing behind"
fi
