/* The state store: <root>/<id>/ holds the marker MRC_STATE_MARKER (written
 * first, before the directory gets its name, so only a directory mini-runc
 * made has it), state.json and the init record init.json (both written
 * atomically) and, while the container waits for `start`, the exec.sock
 * barrier (its name, MRC_EXEC_SOCK, is the process layer's: mrc/sync.h).
 * A directory without the marker, or one that is a mount point, is not a
 * container, whatever it holds: no verb reads or removes anything in it.
 *
 * Locking: the container directory's own fd carries a flock.  Mutating
 * verbs (create, start, delete, pause, resume, update) take it exclusively;
 * readers (state, list, kill, ps, exec, events) take none.  A new directory is made under a temporary name, locked,
 * then renamed into place with RENAME_NOREPLACE, so no other process can
 * ever see an unlocked half-made container, and `mkdir`-like uniqueness
 * holds for concurrent creates of one id. */
#ifndef MRC_STATEDIR_H
#define MRC_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "mrc/error.h"
#include "mrc/state.h"

#define MRC_ID_MAX 200
#define MRC_STATE_FILE "state.json"
#define MRC_SAVED_CONFIG "config.json" /* the config as create read it */
/* The init's pid and start time and the cgroup record, written before
 * state.json each time: what `delete --force` goes by when state.json is
 * damaged. */
#define MRC_INIT_RECORD "init.json"
#define MRC_STATE_MARKER ".mini-runc-state"
#define MRC_STATE_MARKER_TEXT "mini-runc state directory\n"

/* ^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$, at most MRC_ID_MAX bytes. */
int mrc_id_validate (const char *id, mrc_error_t *err) MRC_WUR;

/* Open (and with CREATE, make with mode 0711) the state root. */
int mrc_statedir_open_root (const char *root, bool create, int *fd,
                            mrc_error_t *err) MRC_WUR;

/* Make <root>/<id> atomically, with its marker, and return its fd, locked
 * exclusively.  "container `ID` already exists" when taken. */
int mrc_statedir_new (int root_fd, const char *id, int *dir_fd,
                      mrc_error_t *err) MRC_WUR;

/* Remove the temporary directories of creates of ID that were killed
 * before they renamed theirs into place (their lock is free); best
 * effort. */
void mrc_statedir_reap_stale (int root_fd, const char *id);

/* Open <root>/<id> and lock it (LOCK_EX, or 0 for readers: state.json is
 * only ever replaced whole, so reading needs no lock, and a hook that calls
 * `state` or `kill` while create or start holds the lock must not wait for
 * it).  Verifies after locking that the directory was not removed
 * meanwhile.
 * "container does not exist: `ID`" otherwise: errnum ENOENT when there is
 * nothing under that name, EEXIST when something is there that is not a
 * state directory (no marker, a mount point, a symlink, a file), which is
 * left untouched. */
int mrc_statedir_open (int root_fd, const char *id, int lock_op, int *dir_fd,
                       mrc_error_t *err) MRC_WUR;

/* Read state.json.  ENOENT (no state.json: a create that died before
 * writing it) is reported with errnum ENOENT. */
int mrc_statedir_load (int dir_fd, struct mrc_state *st,
                       mrc_error_t *err) MRC_WUR;
/* Write the init record of ST, then state.json. */
int mrc_statedir_save (int dir_fd, const struct mrc_state *st,
                       mrc_error_t *err) MRC_WUR;
/* Read the init record into ST (id, pid, start time, cgroup only). */
int mrc_statedir_load_record (int dir_fd, struct mrc_state *st,
                              mrc_error_t *err) MRC_WUR;

/* DIR_FD's path, for messages (never fails: "?" when unknown). */
void mrc_statedir_path (int dir_fd, char *buf, size_t size);

/* Remove what mini-runc writes in the state directory DIR_FD, named NAME
 * in ROOT_FD, and then the directory (statedir-remove.c).  Anything else,
 * and any mount point, is left with the marker, and named in the error
 * (errnum ENOTEMPTY). */
int mrc_statedir_remove (int root_fd, const char *name, int dir_fd,
                         mrc_error_t *err) MRC_WUR;

#endif
