/* Lines of /proc/PID/mountinfo, shared by the cgroup layout and the
 * rootfs setup:
 *
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER
 */
#ifndef MRC_MOUNTINFO_H
#define MRC_MOUNTINFO_H

/* The fields of one line; pointers into the line itself. */
struct mrc_mountinfo_line
{
  int id;
  char *root;       /* the mount's root within its filesystem */
  char *mnt;        /* where it is mounted, as seen from our root */
  char *fstype;
  char *super;      /* the superblock options */
};

/* Split LINE (one line without its newline) in place: the fields are
 * NUL-terminated and ROOT and MNT decoded.  -1 when it is malformed. */
int mrc_mountinfo_split (char *line, struct mrc_mountinfo_line *out);

/* Decode the \ooo escapes mountinfo writes for space, tab, newline and
 * backslash, in place. */
void mrc_mountinfo_unescape (char *s);

#endif
