/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-crypto.h"

G_BEGIN_DECLS

/*
 * A password-protected package: what leaves the office (UN packages, backups,
 * field-to-main-office transfers).  Format, documented in docs/formats.md:
 *
 *   header (64 bytes): "CASEDBPK" | version u8 | kind u8 | 0 u16 |
 *                      iterations u32 | memory_kib u32 | parallelism u32 |
 *                      salt[16] | nonce prefix[8] | key check[8] | 0[8]
 *                      (integers big-endian; key check = HMAC-SHA256(key,
 *                      "casedb-package-check")[0..8], to tell a wrong
 *                      passphrase from damage)
 *   chunks:            length u32 | AES-256-GCM(chunk) | tag[16]   ...
 *
 * Key = Argon2id(passphrase, salt, cost).  Chunk i (64 KiB of plaintext at
 * most) has nonce = prefix || be32(i) and associated data = header || be32(i)
 * || final-flag, so a changed header, a reordered, dropped or appended chunk,
 * or a truncated file is detected (the STREAM construction).
 *
 * The plaintext is a sequence of entries: name length u16 | name (UTF-8) |
 * data length u64 | data.
 */

typedef enum {
  CASEDB_PACKAGE_UN_EXPORT = 1,   /* coded cases for the UN focal point */
  CASEDB_PACKAGE_BACKUP    = 2,   /* the database and its key slots */
  CASEDB_PACKAGE_TRANSFER  = 3,   /* cases from a field office */
} CasedbPackageKind;

const char *casedb_package_kind_get_label (CasedbPackageKind kind);

typedef struct _CasedbPackageWriter CasedbPackageWriter;

/* Starts writing to @path (created 0600; EXISTS if it exists).  Nothing is
 * left at @path if the writer is freed without casedb_package_writer_finish. */
CasedbPackageWriter *casedb_package_writer_new    (const char *path, CasedbPackageKind kind,
                                                   const char *passphrase,
                                                   const CasedbKdfParams *params,
                                                   GError **error);
gboolean             casedb_package_writer_add    (CasedbPackageWriter *writer, const char *name,
                                                   const guint8 *data, gsize len, GError **error);
gboolean             casedb_package_writer_add_file (CasedbPackageWriter *writer, const char *name,
                                                     const char *path, GError **error);
gboolean             casedb_package_writer_finish (CasedbPackageWriter *writer, GError **error);
void                 casedb_package_writer_free   (CasedbPackageWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbPackageWriter, casedb_package_writer_free)

typedef struct {
  char   *name;
  guint8 *data;   /* secure memory when small (< 128 KiB), else ordinary; NUL-terminated */
  gsize   len;
} CasedbPackageEntry;

/* Opens and checks a whole package.  WRONG_PASSWORD for a wrong passphrase
 * (the first chunk does not open), DAMAGED for anything changed or cut,
 * INVALID_INPUT if it is not a package or of another kind.
 * (transfer full) (element-type CasedbPackageEntry) */
GPtrArray *casedb_package_read       (const char *path, CasedbPackageKind kind,
                                      const char *passphrase, GError **error);
/* Same, from memory (fuzzing). */
GPtrArray *casedb_package_read_data  (const guint8 *data, gsize len, CasedbPackageKind kind,
                                      const char *passphrase, GError **error);
const CasedbPackageEntry *casedb_package_find (GPtrArray *entries, const char *name);
void       casedb_package_entry_free (CasedbPackageEntry *entry);

G_END_DECLS
