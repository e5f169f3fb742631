/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-package.h"
#include "casedb-store.h"

G_BEGIN_DECLS

/*
 * Encrypted backups: one self-contained package (kind BACKUP) holding the
 * database file and its key-slot file exactly as they are on disk, copied
 * under the store's write lock, and a manifest (docs/formats.md).  The files
 * stay encrypted inside (SQLCipher, key slots); the package passphrase adds
 * a second lock, so a backup needs the passphrase AND a user's password.
 */
typedef struct {
  char   *database_id;
  char   *created;          /* ISO 8601 UTC */
  char   *casedb_version;   /* of the program that made it */
  int     schema_version;
  guint   n_cases;
  guint64 database_size;
  guint64 keys_size;
} CasedbBackupInfo;
void              casedb_backup_info_free (CasedbBackupInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbBackupInfo, casedb_backup_info_free)

/* Writes a backup of @store to @dest (created 0600; EXISTS if it exists).
 * BACKUP permission.  Records the time (casedb_store_get_last_backup) and a
 * "backup" audit entry.  @params NULL for the default Argon2id cost.
 * @info (optional): what the manifest says. */
gboolean          casedb_backup_create  (CasedbStore *store, const char *dest,
                                         const char *passphrase, const CasedbKdfParams *params,
                                         CasedbBackupInfo **info, GError **error);
/* Opens and checks a backup: every chunk, the manifest, the sizes and
 * SHA-256 of both files, that the key-slot file parses and names the
 * manifest's database.  WRONG_PASSWORD, DAMAGED or INVALID_INPUT.
 * (transfer full) */
CasedbBackupInfo *casedb_backup_verify  (const char *path, const char *passphrase, GError **error);
/* Checks the backup as casedb_backup_verify(), then writes @dest_db and its
 * key-slot file (0600).  Refuses (EXISTS) if either, or a journal, exists.
 * Opens nothing: every user keeps the password they had when it was made.
 * (transfer full) */
CasedbBackupInfo *casedb_backup_restore (const char *path, const char *passphrase,
                                         const char *dest_db, GError **error);

G_END_DECLS
