/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "casedb-crypto.h"
#include "casedb-roles.h"

G_BEGIN_DECLS

/*
 * The keys that open a database, unwrapped, in secure memory.
 *  data_key:     the SQLCipher raw key (every role)
 *  audit_key:    HMAC key of the audit chain (every role)
 *  identity_key: AES-256-GCM key of identity fields (only roles whose
 *                casedb_role_holds_identity_key() is TRUE)
 */
typedef struct {
  guint8   data_key[CASEDB_KEY_LEN];
  guint8   audit_key[CASEDB_KEY_LEN];
  guint8   identity_key[CASEDB_KEY_LEN];
  gboolean has_identity_key;
} CasedbKeyring;

CasedbKeyring *casedb_keyring_new_random (gboolean with_identity);   /* secure memory */
CasedbKeyring *casedb_keyring_copy       (const CasedbKeyring *keys);
void           casedb_keyring_free       (CasedbKeyring *keys);     /* wipes */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CasedbKeyring, casedb_keyring_free)

/*
 * CasedbKeyslots: the key-slot file beside the database (DB.keys), JSON.
 * Each slot: user, role, Argon2id parameters and salt, an X25519 public key,
 * the X25519 secret sealed (AES-256-GCM) under the Argon2id key, and the
 * keyring boxed to the public key, with AAD binding database id, user and
 * role (so editing a role in the file breaks the slot instead of granting
 * anything).  Written atomically (temp file, fsync, rename), mode 0600.
 * The file also records the SQLCipher settings the database was made with.
 *
 * During a rekey each slot can carry a pending keyring (generation + 1):
 * stage, re-encrypt the database, then commit; a crash in between leaves
 * both keyrings openable and casedb_store_open() tries the pending one.
 */
/* Page size of new databases, recorded in DB.keys → cipher.page_size.  A
 * database is always opened with the size recorded for it (4096 before
 * schema 5): 8192-byte pages halve SQLCipher's per-page HMAC and B-tree
 * splits, about 15% faster bulk inserts for the same reads. */
#define CASEDB_CIPHER_PAGE_SIZE 8192

#define CASEDB_TYPE_KEYSLOTS (casedb_keyslots_get_type ())
G_DECLARE_FINAL_TYPE (CasedbKeyslots, casedb_keyslots, CASEDB, KEYSLOTS, GObject)

CasedbKeyslots *casedb_keyslots_new          (const char *database_id);
/* NOT_FOUND when missing; DAMAGED when unreadable, truncated or not ours. */
CasedbKeyslots *casedb_keyslots_load         (const char *path, GError **error);
gboolean        casedb_keyslots_save         (CasedbKeyslots *self, const char *path, GError **error);
/* Parses from memory (fuzz target, tests).  @origin names the file in errors. */
CasedbKeyslots *casedb_keyslots_load_from_data (const char *data, gsize len,
                                                const char *origin, GError **error);

const char     *casedb_keyslots_get_database_id (CasedbKeyslots *self);
guint           casedb_keyslots_get_generation  (CasedbKeyslots *self);
JsonObject     *casedb_keyslots_get_cipher      (CasedbKeyslots *self);  /* (transfer none) */

/* Unknown user and wrong password give the same CASEDB_ERROR_WRONG_PASSWORD
 * (no user enumeration).  @pending: open the staged keyring instead. */
CasedbKeyring  *casedb_keyslots_unlock       (CasedbKeyslots *self, const char *user,
                                              const char *password, gboolean pending,
                                              CasedbRole *role_out, GError **error);
gboolean        casedb_keyslots_has_pending  (CasedbKeyslots *self);

/* @keys: the full keyring of the supervisor doing it; the slot gets the
 * identity key only if @role holds it.  EXISTS if @user has a slot. */
gboolean        casedb_keyslots_add          (CasedbKeyslots *self, const char *user,
                                              CasedbRole role, const char *password,
                                              const CasedbKdfParams *params,
                                              const CasedbKeyring *keys, GError **error);
gboolean        casedb_keyslots_remove       (CasedbKeyslots *self, const char *user, GError **error);
/* The user's own change: needs the old password. */
gboolean        casedb_keyslots_change_password (CasedbKeyslots *self, const char *user,
                                                 const char *old_password,
                                                 const char *new_password,
                                                 const CasedbKdfParams *params, GError **error);
/* A supervisor's reset: a new slot for @user with @keys. */
gboolean        casedb_keyslots_reset_password  (CasedbKeyslots *self, const char *user,
                                                 const char *new_password,
                                                 const CasedbKdfParams *params,
                                                 const CasedbKeyring *keys, GError **error);
gboolean        casedb_keyslots_set_role     (CasedbKeyslots *self, const char *user,
                                              CasedbRole role, const CasedbKeyring *keys,
                                              GError **error);
/* Rekey, in two steps around the database re-encryption. */
gboolean        casedb_keyslots_stage_keyring  (CasedbKeyslots *self, const CasedbKeyring *new_keys,
                                                GError **error);
void            casedb_keyslots_commit_pending (CasedbKeyslots *self);
void            casedb_keyslots_drop_pending   (CasedbKeyslots *self);

/* (transfer full) NULL-terminated, sorted. */
char          **casedb_keyslots_list_users   (CasedbKeyslots *self);
gboolean        casedb_keyslots_get_user     (CasedbKeyslots *self, const char *user,
                                              CasedbRole *role, GDateTime **password_changed);
/* The Argon2id cost of @user's slot; FALSE if there is no such slot. */
gboolean        casedb_keyslots_get_kdf_params (CasedbKeyslots *self, const char *user,
                                                CasedbKdfParams *params);

/* Failed logins cannot go into the (still locked) database: they wait in the
 * file until the next successful unlock moves them to the audit log.  The
 * typed user name is kept only if it names a slot (it may be a password typed
 * into the wrong field). */
void            casedb_keyslots_note_failed_login (CasedbKeyslots *self, const char *user);
/* (transfer full) (element-type CasedbFailedLogin) */
GPtrArray      *casedb_keyslots_take_failed_logins (CasedbKeyslots *self);

typedef struct {
  char *user;   /* NULL when the name typed matched no slot */
  char *time;   /* ISO 8601 UTC */
} CasedbFailedLogin;
void casedb_failed_login_free (CasedbFailedLogin *f);

G_END_DECLS
