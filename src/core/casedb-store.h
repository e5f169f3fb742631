/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "casedb-case.h"
#include "casedb-case-row.h"
#include "casedb-crypto.h"
#include "casedb-keyslots.h"
#include "casedb-roles.h"

G_BEGIN_DECLS

/*
 * CasedbStore: an unlocked database.  The only code that speaks SQL.
 *
 * Files: DB (SQLCipher 3, raw 256-bit key, 4096-byte pages), DB.keys (key
 * slots, see CasedbKeyslots), and while writing DB-journal.
 *
 * Every public call checks the role with casedb_store_require() first, and
 * every write is one transaction.  Identity fields are sealed with the
 * identity key (AES-256-GCM, AAD = record uuid + field name) before they
 * reach SQL, so a role without the identity key cannot read them even with
 * the data key in the sqlcipher shell.
 */
#define CASEDB_TYPE_STORE (casedb_store_get_type ())
G_DECLARE_FINAL_TYPE (CasedbStore, casedb_store, CASEDB, STORE, GObject)

/* Path of the key-slot file of @db_path: "<db_path>.keys". (transfer full) */
char        *casedb_store_keyslots_path (const char *db_path);

/* Creates DB and DB.keys; @admin becomes a supervisor.  EXISTS if either
 * file exists.  @params NULL for the default Argon2id cost. */
CasedbStore *casedb_store_create     (const char *db_path, const char *admin,
                                      const char *password, const CasedbKdfParams *params,
                                      GError **error);
/* WRONG_PASSWORD (also for an unknown user), NOT_FOUND (no DB or no DB.keys),
 * DAMAGED (truncated, bit-flipped, not a CaseDB database).  A failed attempt
 * is noted for the audit log. */
CasedbStore *casedb_store_open       (const char *db_path, const char *user,
                                      const char *password, GError **error);
/* Wipes every key from memory and closes the database.  Further calls fail. */
void         casedb_store_close      (CasedbStore *self);

/* Only for tests and the benchmark: the cost used for new or changed slots. */
void         casedb_store_set_kdf_params (CasedbStore *self, const CasedbKdfParams *params);

const char  *casedb_store_get_path   (CasedbStore *self);
const char  *casedb_store_get_user   (CasedbStore *self);
CasedbRole   casedb_store_get_role   (CasedbStore *self);
gboolean     casedb_store_can        (CasedbStore *self, CasedbPermission perm);
/* The one role check: NOT_PERMITTED with a translated message naming what. */
gboolean     casedb_store_require    (CasedbStore *self, CasedbPermission perm, GError **error);

/* ---- users (MANAGE_USERS, except change_password on oneself) ---- */
typedef struct {
  char       *name;
  CasedbRole  role;
  char       *created;            /* ISO 8601 */
  char       *password_changed;   /* ISO 8601 */
} CasedbUserInfo;
void         casedb_user_info_free   (CasedbUserInfo *info);
GPtrArray   *casedb_store_list_users (CasedbStore *self, GError **error); /* of CasedbUserInfo */
gboolean     casedb_store_add_user   (CasedbStore *self, const char *user, CasedbRole role,
                                      const char *password, GError **error);
gboolean     casedb_store_remove_user (CasedbStore *self, const char *user, GError **error);
gboolean     casedb_store_set_user_role (CasedbStore *self, const char *user, CasedbRole role,
                                         GError **error);
gboolean     casedb_store_reset_password (CasedbStore *self, const char *user,
                                          const char *new_password, GError **error);
/* Any role, for its own account. */
gboolean     casedb_store_change_password (CasedbStore *self, const char *old_password,
                                           const char *new_password, GError **error);
/* Change password without an unlocked store (casedb-tool passwd). */
gboolean     casedb_store_change_password_offline (const char *db_path, const char *user,
                                                   const char *old_password,
                                                   const char *new_password, GError **error);
/* Re-encrypts the database under a fresh data key and rotates the identity
 * key (re-sealing every identity field), crash-safely (see CasedbKeyslots). */
gboolean     casedb_store_rekey      (CasedbStore *self, GError **error);

/* ---- cases ---- */
typedef struct {
  int         violation;       /* CasedbViolationKind, or -1 for any */
  const char *from;            /* incident date >= (inclusive), or NULL */
  const char *to;              /* incident date <= (inclusive), or NULL */
  const char *region;          /* exact, or NULL */
  int         verification;    /* CasedbVerification, or -1 */
  int         draft;           /* 0, 1, or -1 for any */
  int         needs_followup;  /* 0, 1, or -1 */
  const char *text;            /* substring of code, reference or coded summary; NULL */
} CasedbQuery;
#define CASEDB_QUERY_INIT { -1, NULL, NULL, NULL, -1, -1, -1, NULL }

/* (transfer full) a GListModel of CasedbCaseRow, sorted by case code. */
GListModel  *casedb_store_list_cases (CasedbStore *self, const CasedbQuery *query,
                                      GError **error);
/* Number of cases per violation matching @query (its violation is ignored). */
gboolean     casedb_store_count_by_violation (CasedbStore *self, const CasedbQuery *query,
                                              guint counts[CASEDB_N_VIOLATIONS],
                                              guint *total, GError **error);
/* Sorted distinct regions. (transfer full) */
char       **casedb_store_list_regions (CasedbStore *self, GError **error);

/* Loads a case.  @with_identities needs READ_IDENTITY and writes an
 * "identity read" audit entry; without it identity fields stay NULL. */
CasedbCase  *casedb_store_load_case  (CasedbStore *self, gint64 id, gboolean with_identities,
                                      GError **error);
CasedbCase  *casedb_store_load_case_by_code (CasedbStore *self, const char *code,
                                             gboolean with_identities, GError **error);
/* Inserts (id 0) or updates a case in one transaction; assigns id, uuid, code,
 * victim codes.  Needs EDIT_CASES (VERIFY_CASES to store "verified").  When
 * the case was loaded without identities the stored identity fields are kept. */
gboolean     casedb_store_save_case  (CasedbStore *self, CasedbCase *c, GError **error);
gboolean     casedb_store_delete_case (CasedbStore *self, gint64 id, GError **error);
/* Case ids whose identity fields (victim names, guardians) contain @text,
 * case-insensitively.  READ_IDENTITY; audited. (transfer full) GArray of gint64 */
GArray      *casedb_store_search_identities (CasedbStore *self, const char *text,
                                             GError **error);
/* Victim names of a case (secure memory strings), READ_IDENTITY; audited by caller
 * batch: @audit FALSE lets casedb-tool list write one entry for many cases. */
GPtrArray   *casedb_store_get_victim_names (CasedbStore *self, gint64 id, gboolean audit,
                                            GError **error);

/* Saves many cases in one transaction (import).  All or nothing, with one
 * "import" audit entry in the same transaction: @audit_detail, or "N cases"
 * when NULL. */
gboolean     casedb_store_save_cases (CasedbStore *self, GPtrArray *cases,
                                      const char *audit_detail, GError **error);
/* Whether a case with this office reference exists. */
gboolean     casedb_store_has_reference (CasedbStore *self, const char *reference,
                                         gboolean *exists, GError **error);

/* ---- statistics (READ_CODED) ---- */
typedef enum {
  CASEDB_PERIOD_MONTH,     /* YYYY-MM */
  CASEDB_PERIOD_QUARTER,   /* YYYY-QN */
  CASEDB_PERIOD_YEAR,      /* YYYY */
} CasedbPeriod;

/* One (violation, period of the incident date, region, verification) cell. */
typedef struct {
  CasedbViolationKind kind;
  char               *period;
  char               *region;
  CasedbVerification  verification;
  guint               incidents;        /* distinct cases with this violation */
  guint               victims_female;   /* each victim once per violation */
  guint               victims_male;
  guint               victims_unknown;
} CasedbAggregateRow;
void         casedb_aggregate_row_free (CasedbAggregateRow *row);
/* Counts over the cases matching @query (drafts included only if query->draft
 * says so: pass draft = 0 to leave drafts out).  @statistics_consent_only:
 * count only cases whose consent allows statistics; @n_excluded receives how
 * many matching cases were left out for that.  Rows sorted by violation key,
 * period, region, verification key. (transfer full) */
GPtrArray   *casedb_store_aggregate (CasedbStore *self, const CasedbQuery *query,
                                     CasedbPeriod period, gboolean statistics_consent_only,
                                     guint *n_excluded, GError **error);

/* ---- code book: maps codes (P-…, M-…) to real names.  Identity. ---- */
/* Returns the code for @real_name of @kind ('P' or 'M'), creating one if needed
 * (the name is sealed). Needs EDIT_CASES and the identity key. */
char        *casedb_store_code_for_name (CasedbStore *self, char kind, const char *real_name,
                                         GError **error);
/* (transfer full, secure memory) READ_IDENTITY. */
char        *casedb_store_name_for_code (CasedbStore *self, const char *code, GError **error);

/* ---- audit log ---- */
typedef struct {
  gint64  id;
  char   *time;     /* ISO 8601 UTC */
  char   *user;
  char   *action;   /* stable key: login, login_failed, identity_read, export, user_add … */
  char   *detail;   /* never an identity */
} CasedbAuditEntry;
void         casedb_audit_entry_free (CasedbAuditEntry *e);
/* Any role may append (its own actions); reading needs READ_AUDIT. */
gboolean     casedb_store_audit      (CasedbStore *self, const char *action, const char *detail,
                                      GError **error);
GPtrArray   *casedb_store_list_audit (CasedbStore *self, GError **error);
/* TRUE if the chain is intact; else FALSE with DAMAGED naming the first bad entry. */
gboolean     casedb_store_verify_audit (CasedbStore *self, guint *n_entries, GError **error);

/* ---- for tests and tools ---- */
/* The raw sqlite3 handle (tests that tamper with rows; never used by the app). */
gpointer     casedb_store_get_db_handle (CasedbStore *self);
int          casedb_store_get_schema_version (CasedbStore *self);

G_END_DECLS
