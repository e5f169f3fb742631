/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Secrets (passwords, keys, decrypted identities) live in libgcrypt's secure
 * memory: locked pages that are never swapped and are wiped on free.
 * casedb_secure_init() must be called once, before any other core call
 * (casedb_core_init() does it).
 */

gboolean  casedb_secure_init         (GError     **error);
gpointer  casedb_secure_alloc        (gsize        size);        /* zeroed */
gpointer  casedb_secure_realloc      (gpointer     mem,
                                      gsize        size);
void      casedb_secure_free         (gpointer     mem);        /* wipes; NULL ok */
char     *casedb_secure_strdup       (const char  *str);        /* NULL -> NULL */
char     *casedb_secure_strndup      (const char  *str,
                                      gsize        len);
void      casedb_secure_wipe         (gpointer     mem,
                                      gsize        size);       /* for stack/heap buffers */
/* Wipes a GString's buffer and frees it (for buffers that held a secret). */
void      casedb_secure_gstring_free (GString     *str);
gboolean  casedb_secure_is_secure    (gconstpointer mem);

/* Equivalent of g_clear_pointer (&p, casedb_secure_free). */
#define casedb_secure_clear(pp) g_clear_pointer ((pp), casedb_secure_free)

/* Reads one secret line: from the terminal without echo when stdin is a
 * tty (showing @prompt on stderr), else one line from stdin.  The result is
 * in secure memory, without the newline.  At end of input, or for a line over
 * 1024 bytes, NULL with CASEDB_ERROR_INVALID_INPUT. */
char     *casedb_secure_read_password (const char  *prompt,
                                       GError     **error);

typedef char CasedbSecureString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbSecureString, casedb_secure_free)

G_END_DECLS
