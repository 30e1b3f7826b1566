#!/bin/sh
# Build the throwaway setup driver: sh tests/setup-driver/build.sh [CC]
set -e
cd "$(dirname "$0")/../.."
${1:-gcc} -std=gnu11 -Wall -Wextra -Werror -g -Iinclude -o tests/setup-driver/driver \
  tests/setup-driver/driver.c src/setup/*.c src/util/fs.c src/util/error.c
