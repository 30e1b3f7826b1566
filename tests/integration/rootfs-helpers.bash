# Helpers for rootfs.bats: masked/readonly paths, sysctl, overlay layers.

# masked JSON-ARRAY / readonly JSON-ARRAY: set linux.maskedPaths or
# linux.readonlyPaths.
masked() {
	cfg_edit --argjson p "$1" '.linux.maskedPaths = $p'
}
readonly_paths() {
	cfg_edit --argjson p "$1" '.linux.readonlyPaths = $p'
}

# sysctl JSON-OBJECT: set linux.sysctl.
sysctl_cfg() {
	cfg_edit --argjson s "$1" '.linux.sysctl = $s'
}

# drop_ns TYPE: remove a namespace from linux.namespaces.
drop_ns() {
	cfg_edit --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

# tree_sum DIR: one checksum over every path, type, mode and content under
# DIR (find | sort | sha256sum), to prove a layer was not modified.
tree_sum() {
	(
		cd "$1" || exit 1
		find . -printf '%p %y %m %l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	) | sha256sum | cut -d' ' -f1
}

# make_layers: split the test's busybox rootfs into image layers under
# $BUNDLE/layers: l0 the busybox rootfs, l1 adds /etc/l1 and /etc/shared
# ("from l1"), l2 overrides /etc/shared ("from l2") and adds /l2file.
# Sets the layers annotation (lowest first) and drops root.path's rootfs
# dir content (root.path stays: the overlay is mounted on it).
make_layers() {
	local l=$BUNDLE/layers
	mkdir -p "$l"
	mv "$BUNDLE/rootfs" "$l/l0"
	mkdir -p "$BUNDLE/rootfs" "$l/l1/etc" "$l/l2/etc"
	echo l1 >"$l/l1/etc/l1"
	echo "from l1" >"$l/l1/etc/shared"
	echo "from l2" >"$l/l2/etc/shared"
	echo l2 >"$l/l2/l2file"
	layers_annotation "layers/l0:layers/l1:layers/l2"
}

# layers_annotation VALUE
layers_annotation() {
	cfg_edit --arg v "$1" '.annotations["org.mini-runc.rootfs.layers"] = $v'
}

# upper_annotation VALUE
upper_annotation() {
	cfg_edit --arg v "$1" '.annotations["org.mini-runc.rootfs.upper"] = $v'
}

# layers_sum: the checksums of all layer dirs, one line.
layers_sum() {
	local d
	for d in "$BUNDLE"/layers/*; do
		echo "$(basename "$d") $(tree_sum "$d")"
	done
}
