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
 * Files: DB (SQLCipher 3, raw 256-bit key, 8192-byte pages), DB.keys (key
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
/* Whether a rekey is due because a user was removed, or lost the right to
 * see identities, since the last one: @since gets the time of the first such
 * change (ISO 8601, transfer full), or NULL when none is due. */
gboolean     casedb_store_get_rekey_due (CasedbStore *self, char **since, GError **error);

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

/* (transfer full) a GListModel of CasedbCaseRow, sorted by case code: a
 * CasedbCaseListModel, which makes each row object only when asked for it. */
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
/* Yields the next case to save (transfer full), NULL at the end, or NULL with
 * @error set to stop (the whole save is then rolled back). */
typedef CasedbCase *(*CasedbCaseSource) (gpointer data, GError **error);
/* As casedb_store_save_cases(), for any number of cases: ONE transaction and
 * one "import" audit entry for all the cases @next yields, each freed once
 * stored, so memory (and libgcrypt's secure pool) stays flat. */
gboolean     casedb_store_save_cases_from (CasedbStore *self, CasedbCaseSource next,
                                           gpointer data, const char *audit_detail,
                                           GError **error);
/* Groups every write that follows, up to casedb_store_end_batch(), into one
 * transaction: an import's new code-book entries and its cases are kept
 * together or not at all.  A failed write inside the batch undoes itself;
 * end with @keep FALSE to drop the whole batch.  Password, role, user and
 * key changes refuse to run inside a batch. */
gboolean     casedb_store_begin_batch (CasedbStore *self, GError **error);
gboolean     casedb_store_end_batch   (CasedbStore *self, gboolean keep, GError **error);
/* Whether a case with this office reference exists. */
gboolean     casedb_store_has_reference (CasedbStore *self, const char *reference,
                                         gboolean *exists, GError **error);

/* ---- statistics (VIEW_STATISTICS) ---- */
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

/* ---- emergency wipe (WIPE: supervisors) ---- */
/* Unlocks to check @user's role, then destroys the key-slot file first
 * (overwritten with random bytes, synced, unlinked: without it nobody can
 * ever recover the data key) and every "DB.keys.*" beside it (temporary
 * files, copies), then the database and its -journal/-wal/-shm the same way.  On an I/O error it still
 * destroys what it can and returns the first error (IO).  See the README,
 * "What wipe cannot promise". */
gboolean     casedb_store_wipe       (const char *db_path, const char *user,
                                      const char *password, GError **error);

/* ---- exports, backups and transfers (casedb-export.c, casedb-backup.c,
 *      casedb-transfer.c build on these) ---- */

/* The random id of this database (its key-slot file names the same). */
const char  *casedb_store_get_database_id (CasedbStore *self);
/* Ids (gint64) of the cases in code order; with @updated_since (ISO 8601)
 * only those saved at or after it.  READ_CODED. (transfer full) */
GArray      *casedb_store_list_case_ids (CasedbStore *self, const char *updated_since,
                                         GError **error);
/* Loads the cases @ids in one transaction.  @with_identities needs
 * READ_IDENTITY and writes ONE "identity_read" audit entry "@purpose: N cases"
 * for the batch. (transfer full) (element-type CasedbCase) */
GPtrArray   *casedb_store_load_cases (CasedbStore *self, GArray *ids, gboolean with_identities,
                                      const char *purpose, GError **error);
/* The code-book names (secure memory) of those of @codes (NULL-terminated)
 * that are in the book; READ_IDENTITY, one audit entry. (transfer full) */
GHashTable  *casedb_store_lookup_codebook (CasedbStore *self, const char * const *codes,
                                           const char *purpose, GError **error);

/* Backups (BACKUP).  @func reads the database and key-slot files while the
 * store holds the write lock (BEGIN IMMEDIATE … ROLLBACK): no other program
 * can commit meanwhile, so both are copied in one consistent state. */
typedef gboolean (*CasedbStoreCopyFunc) (CasedbStore *store, const char *db_path,
                                         const char *keys_path, guint n_cases,
                                         gpointer user_data, GError **error);
gboolean     casedb_store_copy_files (CasedbStore *self, CasedbStoreCopyFunc func,
                                      gpointer user_data, GError **error);
/* Records a finished backup: meta "last_backup" (now) and a "backup" audit
 * entry with @detail, in one transaction. */
gboolean     casedb_store_note_backup (CasedbStore *self, const char *detail, GError **error);
/* When the last backup was made, or NULL if never (for the reminder). (transfer full) */
GDateTime   *casedb_store_get_last_backup (CasedbStore *self);

/* Transfers between offices (EXPORT).  The time the last transfer package
 * was started (NULL: never), and recording a finished one with an audit
 * entry "transfer_export" @detail. */
gboolean     casedb_store_get_last_transfer_export (CasedbStore *self, char **time,
                                                    GError **error);
gboolean     casedb_store_note_transfer_export (CasedbStore *self, const char *started,
                                                const char *detail, GError **error);

typedef enum {
  CASEDB_MERGE_NEW,        /* not here yet: inserted with its uuid */
  CASEDB_MERGE_UPDATE,     /* changed there only since the last transfer: updated here */
  CASEDB_MERGE_SAME,       /* not changed there (or an older copy): nothing to do */
  CASEDB_MERGE_CONFLICT,   /* changed on both sides (or deleted here): kept aside, nothing overwritten */
} CasedbMergeAction;

typedef struct {
  const CasedbCase  *incoming;     /* in: with identities, perpetrator/source codes of THIS
                                    * database's code book, updated = the sender's time */
  const guint8      *payload;      /* in: the case as received, kept (sealed) on a conflict */
  gsize              payload_len;
  CasedbMergeAction  action;       /* out */
  char              *code;         /* out: the case code here (NULL: not here yet); free it */
} CasedbMergeItem;

/* Merges cases from the database @peer in one transaction (EXPORT,
 * EDIT_CASES, READ_IDENTITY).  By uuid: a new case is inserted (keeping its
 * code when free here); a case not changed here since the last transfer
 * from @peer is updated; one changed on both sides goes to the conflicts
 * table.  Victim codes are this database's and stay stable across updates.
 * One "transfer_import" audit entry.  @dry_run decides without writing. */
gboolean     casedb_store_merge_cases (CasedbStore *self, const char *peer, GPtrArray *items,
                                       gboolean dry_run, GError **error);

typedef struct {
  char *uuid;
  char *peer;       /* the database it came from */
  char *code;       /* the case code here; NULL if the case was deleted here */
  char *received;   /* ISO 8601 */
} CasedbConflictInfo;
void         casedb_conflict_info_free (CasedbConflictInfo *info);
/* (transfer full) (element-type CasedbConflictInfo) */
GPtrArray   *casedb_store_list_conflicts (CasedbStore *self, GError **error);
/* The kept incoming version (secure memory, NUL-terminated) of the conflict
 * of @uuid from @peer (NULL: the only one).  READ_IDENTITY; audited. */
guint8      *casedb_store_get_conflict (CasedbStore *self, const char *uuid, const char *peer,
                                        char **peer_out, gsize *len, GError **error);
/* Resolves it: @theirs NULL keeps this database's version; else @theirs (the
 * kept version, codes of this code book) replaces it.  Audited. */
gboolean     casedb_store_resolve_conflict (CasedbStore *self, const char *uuid, const char *peer,
                                            CasedbCase *theirs, GError **error);

G_END_DECLS
