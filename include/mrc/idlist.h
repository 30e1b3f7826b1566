/* Linux's "list format" of ids (cpuset(7)): "0-3,7".  One parser for every
 * field written in it: process.execCPUAffinity (CPUs) and
 * linux.memoryPolicy.nodes (NUMA nodes). */
#ifndef MRC_IDLIST_H
#define MRC_IDLIST_H

/* Parse LIST: comma-separated ids and inclusive ranges LO-HI, decimal, no
 * sign, no spaces, none above MAX.  For each element, ADD (when not NULL)
 * gets its range.  Returns the highest id, or -1 when LIST is empty or
 * malformed or names an id above MAX (ADD may have been called for the
 * elements before the bad one). */
long mrc_idlist_parse (const char *list, long max,
                       void (*add) (void *arg, long lo, long hi), void *arg);

#endif
