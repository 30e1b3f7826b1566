#!/bin/sh
# Generate ./configure from configure.ac.  Needs autoconf and pkg-config
# (which ships the pkg.m4 macros); bash tests/install-deps.sh installs both.
set -e
cd "$(dirname "$0")"
exec autoreconf -fi
