#!/bin/sh
# Build the throwaway setup driver into build/setup-driver:
#   sh tests/setup-driver/build.sh [CC]
set -e
mkdir -p "$(dirname "$0")/../../build"
cd "$(dirname "$0")/../.."
${1:-gcc} -std=gnu11 -Wall -Wextra -Werror -g -Iinclude -o build/setup-driver \
  tests/setup-driver/driver.c src/setup/*.c src/util/fs.c src/util/error.c
