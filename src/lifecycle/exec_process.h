/* A shim until create.c and exec.c include lifecycle-internal.h (issue 12). */
#include "lifecycle-internal.h"
