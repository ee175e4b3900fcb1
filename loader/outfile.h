/* Output files, all or nothing: each is written whole to a temporary name
 * in its own directory, and only once every one of them is written (and the
 * program's other output succeeded) are they renamed into place.  On any
 * failure the temporaries are removed and the files that were there before
 * are left untouched. */
#ifndef CVM_OUTFILE_H
#define CVM_OUTFILE_H

#include <stddef.h>

struct outfile;

struct outfiles {
	struct outfile *head;
};

/* Writes LEN bytes of DATA to a new temporary file beside PATH.  -1 with
 * err__set() naming PATH (status 1 for I/O errors, 2 for a path that cannot
 * be created); nothing is left behind. */
int outfiles__stage(struct outfiles *o, const char *path, const void *data, size_t len);
/* Renames every staged file into place, in staging order.  -1 with
 * err__set() naming the first that failed; the rest are removed. */
int outfiles__commit(struct outfiles *o);
/* Removes every staged temporary; safe after commit (then a no-op). */
void outfiles__abort(struct outfiles *o);

/* A stream written as the guest runs (console, firmware log): PATH opened
 * for writing, created or truncated, without waiting on a FIFO that has no
 * reader (refused instead).  The fd, or -1 with err__set() naming the
 * option as the user wrote it, OPTION then PATH ("--console file:", "x"). */
int outfile__open_stream(const char *option, const char *path);

#endif
