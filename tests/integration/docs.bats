#!/usr/bin/env bats
# The man page and the README keep up with the code: every verb the binary
# knows and every flag its --help lists is documented.

setup() {
	MRC=${MINI_RUNC:-$BATS_TEST_DIRNAME/../../mini-runc}
	MAN=$BATS_TEST_DIRNAME/../../man/mini-runc.8
	README=$BATS_TEST_DIRNAME/../../README.md
	case "$("$MRC" --version 2>/dev/null | head -n1)" in
	"mini-runc version"*) ;;
	*) skip "documentation checks are about mini-runc" ;;
	esac
}

verbs() {
	"$MRC" --help | awk '/^Commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }'
}

# The long flags of VERB's --help, one per line, without dashes.
flags() {
	"$MRC" "$1" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u
}

# man escapes dashes as \-
man_text() {
	sed 's/\\-/-/g' "$MAN"
}

@test "docs: every verb has a section in the man page and the README" {
	local v missing=
	[ -n "$(verbs)" ]
	for v in $(verbs); do
		man_text | grep -Eq "^\.SS ($v\b|.*\b$v\b)" || missing+=" man:$v"
		grep -Eq "^### .*\b$v\b" "$README" || missing+=" readme:$v"
	done
	[ -z "$missing" ] || { echo "undocumented:$missing"; false; }
}

@test "docs: every flag of every verb's --help is in the man page" {
	local v f missing=
	for v in $(verbs); do
		for f in $(flags "$v"); do
			[ "$f" = help ] && continue
			man_text | grep -q -- "--$f\b" || missing+=" $v:--$f"
		done
	done
	for f in $("$MRC" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u); do
		[ "$f" = help ] && continue
		man_text | grep -q -- "--$f\b" || missing+=" global:--$f"
	done
	[ -z "$missing" ] || { echo "undocumented:$missing"; false; }
}

@test "docs: the man page renders without warnings" {
	command -v groff >/dev/null || command -v man >/dev/null || skip "no man/groff"
	run bash -c "man --warnings -l '$MAN' 2>&1 >/dev/null"
	[ -z "$output" ]
}

# The README's Layout table: its rows, the first cell of each (one or more
# `path`s), one per line.
layout_paths() {
	awk '/^## Layout/ { on = 1; next } on && /^## / { exit }
		on && /^\| `/ { split($0, c, "|"); print c[2] }' "$README" |
		grep -oE '`[^`]+`' | tr -d '`'
}

@test "docs: the README's layout table lists every folder, and only real paths" {
	local top=$BATS_TEST_DIRNAME/../.. d p missing= stale=
	git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		skip "not a git checkout"
	# src/, tests/ and include/ by their subfolders; the rest by themselves
	for d in $(git -C "$top" ls-files | awk -F/ 'NF > 1 {
		if ($1 == "src" || $1 == "tests" || $1 == "include") {
			if (NF > 2) print $1 "/" $2 "/"
		} else print $1 "/" }' | sort -u); do
		layout_paths | grep -qxF "$d" || missing+=" $d"
	done
	for p in $(layout_paths); do
		[ -e "$top/$p" ] || stale+=" $p"
	done
	[ -z "$missing$stale" ] || { echo "missing:$missing stale:$stale"; false; }
}
