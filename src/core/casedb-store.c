/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "casedb-error.h"
#include "casedb-secure.h"
#include "casedb-store.h"
#include "casedb-store-private.h"

#define SCHEMA_VERSION       2
#define CIPHER_PAGE_SIZE     4096
#define RAW_KEY_STRLEN       (2 + 2 * CASEDB_KEY_LEN + 1)   /* x'<64 hex>' */
#define FIELD_AAD_PREFIX     "casedb-field-v1"
#define KEYRING_CHECK_LABEL  "casedb-keyring-check-v1"
#define CODEBOOK_INDEX_LABEL "casedb-codebook-v1"
#define MAC_LEN              32

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _CasedbStore
{
  GObject          parent_instance;

  char            *path;
  char            *keys_path;
  char            *user;
  CasedbRole       role;
  sqlite3         *db;
  CasedbKeyring   *keys;
  CasedbKeyslots  *keyslots;
  CasedbKdfParams  kdf;
};

G_DEFINE_FINAL_TYPE (CasedbStore, casedb_store, G_TYPE_OBJECT)

/* ---------------------------------------------------------------------- */
/* Schema                                                                  */

/* migrations[v] takes a database from user_version v to v + 1.  Each runs in
 * the transaction of the caller, together with the user_version bump. */
static const char * const migrations[] = {
  /* 0 → 1: the tables */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
  "CREATE TABLE users ("
  "  name TEXT PRIMARY KEY,"
  "  role TEXT NOT NULL,"
  "  created TEXT NOT NULL,"
  "  password_changed TEXT NOT NULL);"
  "CREATE TABLE cases ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  code TEXT NOT NULL UNIQUE,"
  "  reference TEXT UNIQUE,"
  "  incident_date TEXT,"
  "  report_date TEXT,"
  "  region TEXT,"
  "  violation_mask INTEGER NOT NULL DEFAULT 0,"
  "  violation_keys TEXT NOT NULL DEFAULT '',"
  "  n_victims INTEGER NOT NULL DEFAULT 0,"
  "  source_code TEXT,"
  "  verification TEXT NOT NULL,"
  "  summary TEXT,"
  "  draft INTEGER NOT NULL DEFAULT 0,"
  "  needs_followup INTEGER NOT NULL DEFAULT 0,"
  "  consent_by TEXT NOT NULL,"
  "  consent_date TEXT,"
  "  consent_informed INTEGER NOT NULL DEFAULT 0,"
  "  consent_uses INTEGER NOT NULL DEFAULT 0,"
  "  consent_legal_basis TEXT,"
  "  consent_retention_review TEXT,"
  "  created TEXT NOT NULL,"
  "  updated TEXT NOT NULL,"
  "  updated_by TEXT NOT NULL,"
  "  location_detail BLOB,"
  "  narrative BLOB,"
  "  followup_notes BLOB,"
  "  referral_notes BLOB,"
  "  consent_withhold_from BLOB,"
  "  consent_withhold_reason BLOB);"
  "CREATE TABLE victims ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,"
  "  code TEXT NOT NULL UNIQUE,"
  "  position INTEGER NOT NULL,"
  "  sex TEXT NOT NULL,"
  "  age INTEGER NOT NULL DEFAULT -1,"
  "  name BLOB,"
  "  guardian BLOB,"
  "  contact BLOB);"
  "CREATE INDEX victims_case ON victims (case_id, position);"
  "CREATE TABLE violations ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  subtype TEXT,"
  "  perpetrator_code TEXT);"
  "CREATE INDEX violations_case ON violations (case_id, position);"
  "CREATE TABLE violation_victims ("
  "  violation_id INTEGER NOT NULL REFERENCES violations (id) ON DELETE CASCADE,"
  "  victim_id INTEGER NOT NULL REFERENCES victims (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (violation_id, victim_id)) WITHOUT ROWID;"
  "CREATE INDEX violation_victims_victim ON violation_victims (victim_id);"
  "CREATE TABLE codebook ("
  "  code TEXT PRIMARY KEY,"
  "  kind TEXT NOT NULL,"
  "  name_sealed BLOB NOT NULL,"
  "  name_index BLOB NOT NULL UNIQUE);"
  "CREATE TABLE audit ("
  "  id INTEGER PRIMARY KEY,"
  "  time TEXT NOT NULL,"
  "  user TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  detail TEXT NOT NULL DEFAULT '',"
  "  mac BLOB NOT NULL);",

  /* 1 → 2: indexes for the case list filters */
  "CREATE INDEX cases_incident_date ON cases (incident_date);"
  "CREATE INDEX cases_region ON cases (region);"
  "CREATE INDEX cases_verification ON cases (verification);"
  "CREATE INDEX cases_draft ON cases (draft);"
  "CREATE INDEX violations_kind ON violations (kind, case_id);",
};
G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == SCHEMA_VERSION);

/* Identity columns of the cases table, in the order of case_identity_field(). */
static const char * const case_identity_columns[] = {
  "location_detail",
  "narrative",
  "followup_notes",
  "referral_notes",
  "consent_withhold_from",
  "consent_withhold_reason",
};
#define N_CASE_IDENTITY G_N_ELEMENTS (case_identity_columns)

static const char * const victim_identity_columns[] = { "name", "guardian", "contact" };
#define N_VICTIM_IDENTITY G_N_ELEMENTS (victim_identity_columns)

static char **
case_identity_field (CasedbCase *c, guint i)
{
  switch (i)
    {
    case 0: return &c->location_detail;
    case 1: return &c->narrative;
    case 2: return &c->followup_notes;
    case 3: return &c->referral_notes;
    case 4: return &c->consent.withhold_from;
    case 5: return &c->consent.withhold_reason;
    default: g_assert_not_reached ();
    }
}

static char **
victim_identity_field (CasedbVictim *v, guint i)
{
  switch (i)
    {
    case 0: return &v->name;
    case 1: return &v->guardian;
    case 2: return &v->contact;
    default: g_assert_not_reached ();
    }
}

/* ---------------------------------------------------------------------- */
/* Small helpers                                                           */

void
casedb_user_info_free (CasedbUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->created);
  g_free (info->password_changed);
  g_free (info);
}

void
casedb_audit_entry_free (CasedbAuditEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->time);
  g_free (e->user);
  g_free (e->action);
  g_free (e->detail);
  g_free (e);
}

void
casedb_aggregate_row_free (CasedbAggregateRow *row)
{
  if (row == NULL)
    return;
  g_free (row->period);
  g_free (row->region);
  g_free (row);
}

char *
casedb_store_keyslots_path (const char *db_path)
{
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_strconcat (db_path, ".keys", NULL);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

static char *
current_year (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y");
}

static gboolean
is_blank (const char *s)
{
  return s == NULL || *s == '\0';
}

static int
sql_error_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return CASEDB_ERROR_DAMAGED;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return CASEDB_ERROR_IO;
    default:
      return CASEDB_ERROR_FAILED;
    }
}

/* sqlite3_errmsg() never contains values: every value is bound. */
static void
set_sql_error (sqlite3 *db, int rc, GError **error)
{
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
                 _("The database is in use by another program: %s"), msg);
  else
    g_set_error (error, CASEDB_ERROR, sql_error_code (rc), _("Database error: %s"), msg);
}

static gboolean
exec_sql (sqlite3 *db, const char *sql, GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sql_error (db, rc, error);
      return FALSE;
    }
  return TRUE;
}

static sqlite3_stmt *
prepare (CasedbStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sql_error (self->db, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (CasedbStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sql_error (self->db, rc, error);
      return FALSE;
    }
  return TRUE;
}

/* SQLITE_ROW → 1, SQLITE_DONE → 0, error → -1 */
static int
step_row (CasedbStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return 1;
  if (rc == SQLITE_DONE)
    return 0;
  set_sql_error (self->db, rc, error);
  return -1;
}

static void
bind_text (sqlite3_stmt *stmt, int i, const char *s)
{
  if (s == NULL)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_text (stmt, i, s, -1, SQLITE_TRANSIENT);
}

/* Empty strings of optional fields are stored as NULL. */
static void
bind_opt_text (sqlite3_stmt *stmt, int i, const char *s)
{
  bind_text (stmt, i, is_blank (s) ? NULL : s);
}

static void
bind_bytes (sqlite3_stmt *stmt, int i, GBytes *b)
{
  if (b == NULL)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_blob (stmt, i, g_bytes_get_data (b, NULL), (int) g_bytes_get_size (b),
                       SQLITE_TRANSIENT);
}

static char *
column_dup (sqlite3_stmt *stmt, int i)
{
  const char *s = (const char *) sqlite3_column_text (stmt, i);

  return g_strdup (s);
}

static gboolean
begin_write (CasedbStore *self, GError **error)
{
  return exec_sql (self->db, "BEGIN IMMEDIATE", error);
}

static gboolean
begin_read (CasedbStore *self, GError **error)
{
  return exec_sql (self->db, "BEGIN", error);
}

static gboolean
commit (CasedbStore *self, GError **error)
{
  if (!exec_sql (self->db, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

static void
rollback (CasedbStore *self)
{
  if (self->db != NULL && !sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Finishes a transaction: COMMIT when @ok, else ROLLBACK.  Returns the outcome. */
static gboolean
finish (CasedbStore *self, gboolean ok, GError **error)
{
  if (!ok)
    {
      rollback (self);
      return FALSE;
    }
  return commit (self, error);
}

/* ---- meta ---- */

static gboolean
meta_get (CasedbStore *self, const char *key, char **value, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT value FROM meta WHERE key = ?1", error);
  int r;

  *value = NULL;
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  if ((r = step_row (self, stmt, error)) < 0)
    return FALSE;
  if (r > 0)
    *value = column_dup (stmt, 0);
  return TRUE;
}

static gboolean
meta_set (CasedbStore *self, const char *key, const char *value, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt =
    prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, key);
  bind_text (stmt, 2, value);
  return step_done (self, stmt, error);
}

/* Next value of a sequence kept in meta (inside the caller's transaction). */
static gboolean
meta_next_seq (CasedbStore *self, const char *key, guint64 *out, GError **error)
{
  g_autofree char *value = NULL;
  g_autofree char *next = NULL;
  guint64 n = 0;

  if (!meta_get (self, key, &value, error))
    return FALSE;
  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &n, NULL))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The database “%s” is damaged: bad sequence “%s”"), self->path, key);
      return FALSE;
    }
  n++;
  next = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  if (!meta_set (self, key, next, error))
    return FALSE;
  *out = n;
  return TRUE;
}

/* ---- keys ---- */

/* The SQLCipher raw-key form x'<hex>', in secure memory. */
static char *
raw_key_string (const guint8 key[CASEDB_KEY_LEN])
{
  char *s = casedb_secure_alloc (RAW_KEY_STRLEN + 1);

  s[0] = 'x';
  s[1] = '\'';
  casedb_hex_encode (key, CASEDB_KEY_LEN, s + 2);
  s[RAW_KEY_STRLEN - 1] = '\'';
  s[RAW_KEY_STRLEN] = '\0';
  return s;
}

/* Tells which keyring the database content (identity seals) belongs to,
 * readable by every role since it only needs the data key. */
static char *
keyring_check (const CasedbKeyring *keys)
{
  guint8 mac[MAC_LEN];
  char hex[2 * MAC_LEN + 1];

  casedb_hmac_sha256 (keys->data_key, CASEDB_KEY_LEN,
                      (const guint8 *) KEYRING_CHECK_LABEL, strlen (KEYRING_CHECK_LABEL), mac);
  casedb_hex_encode (mac, MAC_LEN, hex);
  return g_strdup (hex);
}

static GByteArray *
field_aad (const char *record, const char *field)
{
  GByteArray *aad = g_byte_array_new ();

  /* "casedb-field-v1\0<record>\0<field>": a sealed value copied to another
   * record or column no longer opens. */
  g_byte_array_append (aad, (const guint8 *) FIELD_AAD_PREFIX, sizeof FIELD_AAD_PREFIX);
  g_byte_array_append (aad, (const guint8 *) record, strlen (record) + 1);
  g_byte_array_append (aad, (const guint8 *) field, strlen (field));
  return aad;
}

static char *
victim_record (const char *case_uuid, const char *victim_code)
{
  return g_strconcat (case_uuid, "/", victim_code, NULL);
}

static gboolean
seal_value (const guint8  key[CASEDB_KEY_LEN],
            const char   *record,
            const char   *field,
            const char   *value,
            GBytes      **out,
            GError      **error)
{
  g_autoptr(GByteArray) aad = NULL;

  *out = NULL;
  if (value == NULL)
    return TRUE;

  aad = field_aad (record, field);
  *out = casedb_seal (key, (const guint8 *) value, strlen (value), aad->data, aad->len, error);
  return *out != NULL;
}

/* Opens the sealed column @col into secure memory; NULL stays NULL. */
static gboolean
open_column (const guint8  key[CASEDB_KEY_LEN],
             sqlite3_stmt *stmt,
             int           col,
             const char   *record,
             const char   *field,
             const char   *where,
             char        **out,
             GError      **error)
{
  g_autoptr(GByteArray) aad = NULL;
  const guint8 *blob;
  gsize len;
  guint8 *plain = NULL;

  *out = NULL;
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return TRUE;

  blob = sqlite3_column_blob (stmt, col);
  len = (gsize) sqlite3_column_bytes (stmt, col);
  aad = field_aad (record, field);
  if (blob != NULL && len >= CASEDB_SEAL_OVERHEAD)
    plain = casedb_open (key, blob, len, aad->data, aad->len, NULL, NULL);

  if (plain == NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The field “%s” of %s cannot be decrypted: the database is damaged or was altered"),
                   field, where);
      return FALSE;
    }

  *out = (char *) plain;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Audit chain                                                             */

static void
mac_append (GByteArray *buf, const void *data, gsize len)
{
  guint32 be = GUINT32_TO_BE ((guint32) len);

  g_byte_array_append (buf, (const guint8 *) &be, sizeof be);
  if (len > 0)
    g_byte_array_append (buf, data, len);
}

static void
mac_append_str (GByteArray *buf, const char *s)
{
  mac_append (buf, s != NULL ? s : "", s != NULL ? strlen (s) : 0);
}

static void
audit_mac (const guint8  audit_key[CASEDB_KEY_LEN],
           const guint8  prev[MAC_LEN],
           gint64        id,
           const char   *time,
           const char   *user,
           const char   *action,
           const char   *detail,
           guint8        out[MAC_LEN])
{
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint64 be_id = GUINT64_TO_BE ((guint64) id);

  mac_append (buf, prev, MAC_LEN);
  mac_append (buf, &be_id, sizeof be_id);
  mac_append_str (buf, time);
  mac_append_str (buf, user);
  mac_append_str (buf, action);
  mac_append_str (buf, detail);
  casedb_hmac_sha256 (audit_key, CASEDB_KEY_LEN, buf->data, buf->len, out);
}

static gboolean
hex_to_mac (const char *hex, guint8 out[MAC_LEN])
{
  if (hex == NULL || strlen (hex) != 2 * MAC_LEN)
    return FALSE;

  for (guint i = 0; i < MAC_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

/* The chain head kept in meta: how many entries, and the last MAC. */
static gboolean
audit_head (CasedbStore *self, gint64 *count, guint8 last[MAC_LEN], GError **error)
{
  g_autofree char *count_s = NULL;
  g_autofree char *last_s = NULL;
  guint64 n = 0;

  if (!meta_get (self, "audit_count", &count_s, error) ||
      !meta_get (self, "audit_last_mac", &last_s, error))
    return FALSE;

  if (count_s == NULL && last_s == NULL)
    {
      *count = 0;
      memset (last, 0, MAC_LEN);
      return TRUE;
    }

  if (!g_ascii_string_to_unsigned (count_s, 10, 0, G_MAXINT64, &n, NULL) ||
      !hex_to_mac (last_s, last))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The audit log of “%s” is damaged"), self->path);
      return FALSE;
    }

  *count = (gint64) n;
  return TRUE;
}

/* Appends one entry; the caller holds a write transaction. */
static gboolean
audit_append_locked (CasedbStore *self,
                     const char  *user,
                     const char  *action,
                     const char  *detail,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *time = now_iso8601 ();
  g_autofree char *count_s = NULL;
  char hex[2 * MAC_LEN + 1];
  guint8 prev[MAC_LEN];
  guint8 mac[MAC_LEN];
  gint64 count;
  gint64 id;

  g_assert (!sqlite3_get_autocommit (self->db));

  if (detail == NULL)
    detail = "";

  if (!audit_head (self, &count, prev, error))
    return FALSE;

  id = count + 1;
  audit_mac (self->keys->audit_key, prev, id, time, user, action, detail, mac);

  stmt = prepare (self,
                  "INSERT INTO audit (id, time, user, action, detail, mac) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  bind_text (stmt, 2, time);
  bind_text (stmt, 3, user);
  bind_text (stmt, 4, action);
  bind_text (stmt, 5, detail);
  sqlite3_bind_blob (stmt, 6, mac, MAC_LEN, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error))
    return FALSE;

  casedb_hex_encode (mac, MAC_LEN, hex);
  count_s = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  return meta_set (self, "audit_count", count_s, error) &&
         meta_set (self, "audit_last_mac", hex, error);
}

static gboolean
audit_locked (CasedbStore *self, const char *action, const char *detail, GError **error)
{
  return audit_append_locked (self, self->user, action, detail, error);
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                 */

static void
close_db (sqlite3 **db)
{
  if (*db != NULL)
    {
      sqlite3_close_v2 (*db);
      *db = NULL;
    }
}

/* Opens @path with @key.  Returns NULL and the SQLite code in @rc_out when
 * SQLCipher refuses it: a wrong key only shows up at the first read. */
static sqlite3 *
open_db_with_key (const char   *path,
                  const guint8  key[CASEDB_KEY_LEN],
                  int           page_size,
                  int          *rc_out)
{
  sqlite3 *db = NULL;
  char *key_str;
  g_autofree char *page_sql = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    goto fail;

#ifdef CASEDB_ENABLE_BENCHMARK
  /* Only the benchmark's build of the core can open a database without a
   * key: the plain SQLite twin it compares against. */
  if (key == NULL)
    page_sql = g_strdup_printf ("PRAGMA page_size = %d;", page_size);
  else
#endif
    {
      key_str = raw_key_string (key);
      rc = sqlite3_key (db, key_str, RAW_KEY_STRLEN);
      casedb_secure_free (key_str);
      if (rc != SQLITE_OK)
        goto fail;
      /* Must come before the first read; SQLCipher 3 defaults to 1024. */
      page_sql = g_strdup_printf ("PRAGMA cipher_page_size = %d;", page_size);
    }
  if ((rc = sqlite3_exec (db, page_sql, NULL, NULL, NULL)) != SQLITE_OK)
    goto fail;

  /* sqlite3_key() accepts any key; a wrong one fails here with SQLITE_NOTADB. */
  if ((rc = sqlite3_exec (db, "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL)) != SQLITE_OK)
    goto fail;

  rc = sqlite3_exec (db,
                     "PRAGMA secure_delete = ON;"
                     "PRAGMA temp_store = MEMORY;"
                     "PRAGMA cache_size = -65536;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA journal_mode = DELETE;"
                     "PRAGMA synchronous = FULL;",
                     NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    goto fail;

  *rc_out = SQLITE_OK;
  return db;

fail:
  g_debug ("Opening %s failed: %s", path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  *rc_out = rc;
  close_db (&db);
  return NULL;
}

static void
set_damaged (const char *path, GError **error)
{
  g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
               _("The database “%s” is damaged or is not a CaseDB database"), path);
}

static gboolean
quick_check (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  if (sqlite3_prepare_v2 (db, "PRAGMA quick_check;", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    ok = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") == 0;
  if (ok && sqlite3_step (stmt) != SQLITE_DONE)
    ok = FALSE;
  return ok;
}

static int
read_user_version (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version;", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

/* Runs migrations @from → SCHEMA_VERSION inside the caller's transaction. */
static gboolean
run_migrations_locked (CasedbStore *self, int from, GError **error)
{
  for (int v = from; v < SCHEMA_VERSION; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d;", v + 1);

      g_debug ("Migrating %s from schema %d to %d", self->path, v, v + 1);
      if (!exec_sql (self->db, migrations[v], error) || !exec_sql (self->db, bump, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
migrate (CasedbStore *self, int from, GError **error)
{
  if (from == SCHEMA_VERSION)
    return TRUE;

  if (!begin_write (self, error))
    return FALSE;
  return finish (self, run_migrations_locked (self, from, error), error);
}

static int
cipher_page_size (CasedbKeyslots *keyslots)
{
  JsonObject *cipher = casedb_keyslots_get_cipher (keyslots);
  gint64 size;

  if (cipher == NULL || !json_object_has_member (cipher, "page_size"))
    return CIPHER_PAGE_SIZE;
  size = json_object_get_int_member (cipher, "page_size");
  if (size < 512 || size > 65536 || (size & (size - 1)) != 0)
    return CIPHER_PAGE_SIZE;
  return (int) size;
}

static void
casedb_store_dispose (GObject *object)
{
  casedb_store_close (CASEDB_STORE (object));

  G_OBJECT_CLASS (casedb_store_parent_class)->dispose (object);
}

static void
casedb_store_finalize (GObject *object)
{
  CasedbStore *self = (CasedbStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->keys_path, g_free);
  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (casedb_store_parent_class)->finalize (object);
}

static void
casedb_store_class_init (CasedbStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = casedb_store_dispose;
  object_class->finalize = casedb_store_finalize;
}

static void
casedb_store_init (CasedbStore *self)
{
  casedb_kdf_params_default (&self->kdf);
}

/* Restores the in-memory key slots from the file after a failed change. */
static void
reload_keyslots (CasedbStore *self)
{
  g_autoptr(GError) error = NULL;
  CasedbKeyslots *ks = casedb_keyslots_load (self->keys_path, &error);

  if (ks == NULL)
    {
      g_debug ("Reloading %s failed: %s", self->keys_path, error->message);
      return;
    }
  g_clear_object (&self->keyslots);
  self->keyslots = ks;
}

/* Moves waiting failed logins into the audit log and writes a login entry. */
static gboolean
audit_login (CasedbStore *self, gboolean login, gboolean keyslots_changed, GError **error)
{
  g_autoptr(GPtrArray) failed = casedb_keyslots_take_failed_logins (self->keyslots);
  gboolean ok = TRUE;

  if (failed->len == 0 && !login && !keyslots_changed)
    return TRUE;

  if (!begin_write (self, error))
    return FALSE;

  for (guint i = 0; ok && i < failed->len; i++)
    {
      CasedbFailedLogin *f = g_ptr_array_index (failed, i);
      g_autofree char *detail = g_strdup_printf ("attempt at %s", f->time);

      ok = audit_append_locked (self, f->user != NULL ? f->user : "-", "login_failed",
                                detail, error);
    }

  if (ok && login)
    ok = audit_locked (self, "login", NULL, error);

  if (ok && (failed->len > 0 || keyslots_changed))
    ok = casedb_keyslots_save (self->keyslots, self->keys_path, error);

  return finish (self, ok, error);
}

static CasedbStore *
store_open (const char  *db_path,
            const char  *user,
            const char  *password,
            gboolean     login,
            GError     **error)
{
  g_autoptr(CasedbStore) self = NULL;
  g_autoptr(CasedbKeyring) current = NULL;
  g_autoptr(CasedbKeyring) pending = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *db_id = NULL;
  g_autofree char *check = NULL;
  g_autofree char *check_current = NULL;
  g_autofree char *check_pending = NULL;
  CasedbKeyring *opened_with = NULL;
  gboolean keyslots_changed = FALSE;
  int page_size;
  int version;
  int rc;

  self = g_object_new (CASEDB_TYPE_STORE, NULL);
  self->path = g_strdup (db_path);
  self->keys_path = casedb_store_keyslots_path (db_path);
  self->user = g_strdup (user);

  if (!g_file_test (db_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                   _("The database “%s” does not exist"), db_path);
      return NULL;
    }
  if (!g_file_test (self->keys_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                   _("The key file “%s” of the database is missing"), self->keys_path);
      return NULL;
    }

  if ((self->keyslots = casedb_keyslots_load (self->keys_path, error)) == NULL)
    return NULL;

  /* An empty password never opens a slot (and Argon2 refuses it outright). */
  if (*password == '\0')
    g_set_error_literal (&local_error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD,
                         _("Wrong user name or password"));
  else
    current = casedb_keyslots_unlock (self->keyslots, user, password, FALSE, &self->role,
                                      &local_error);
  if (current == NULL)
    {
      if (g_error_matches (local_error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD))
        {
          g_autoptr(GError) save_error = NULL;

          casedb_keyslots_note_failed_login (self->keyslots, user);
          if (!casedb_keyslots_save (self->keyslots, self->keys_path, &save_error))
            g_debug ("Could not note a failed login: %s", save_error->message);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (casedb_keyslots_has_pending (self->keyslots))
    {
      pending = casedb_keyslots_unlock (self->keyslots, user, password, TRUE, NULL, &local_error);
      if (pending == NULL)
        {
          g_debug ("The pending keyring does not open: %s", local_error->message);
          g_clear_error (&local_error);
        }
    }

  page_size = cipher_page_size (self->keyslots);
  self->db = open_db_with_key (db_path, current->data_key, page_size, &rc);
  opened_with = current;
  if (self->db == NULL && pending != NULL)
    {
      /* A rekey stopped after re-encrypting but before committing the slots. */
      self->db = open_db_with_key (db_path, pending->data_key, page_size, &rc);
      opened_with = pending;
    }
  if (self->db == NULL)
    {
      set_damaged (db_path, error);
      return NULL;
    }

  /* Reads every page: SQLCipher's HMAC catches a flipped byte anywhere, and
   * a truncated file fails here rather than half-way through a case. */
  if (!quick_check (self->db))
    {
      set_damaged (db_path, error);
      return NULL;
    }

  version = read_user_version (self->db);
  if (version < 1)
    {
      set_damaged (db_path, error);
      return NULL;
    }
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_FAILED,
                   _("The database “%s” was made by a newer version of CaseDB"), db_path);
      return NULL;
    }

  if (!meta_get (self, "db_id", &db_id, NULL) || !meta_get (self, "keyring_check", &check, NULL) ||
      g_strcmp0 (db_id, casedb_keyslots_get_database_id (self->keyslots)) != 0)
    {
      set_damaged (db_path, error);
      return NULL;
    }

  /* Which keyring do the identity seals belong to?  A rekey re-seals them
   * in one transaction before it re-encrypts the pages, so after a crash
   * they may already be under the pending keyring. */
  check_current = keyring_check (current);
  check_pending = pending != NULL ? keyring_check (pending) : NULL;

  if (opened_with == current && g_strcmp0 (check, check_current) == 0)
    {
      self->keys = g_steal_pointer (&current);
      if (casedb_keyslots_has_pending (self->keyslots))
        {
          /* Staged but never used: forget it. */
          casedb_keyslots_drop_pending (self->keyslots);
          keyslots_changed = TRUE;
        }
    }
  else if (pending != NULL && g_strcmp0 (check, check_pending) == 0)
    {
      if (opened_with == current)
        {
          char *key_str = raw_key_string (pending->data_key);

          g_debug ("Finishing an interrupted rekey of %s", db_path);
          rc = sqlite3_rekey (self->db, key_str, RAW_KEY_STRLEN);
          casedb_secure_free (key_str);
          if (rc != SQLITE_OK)
            {
              set_sql_error (self->db, rc, error);
              return NULL;
            }
        }
      casedb_keyslots_commit_pending (self->keyslots);
      keyslots_changed = TRUE;
      self->keys = g_steal_pointer (&pending);
    }
  else
    {
      set_damaged (db_path, error);
      return NULL;
    }

  if (!migrate (self, version, error))
    return NULL;

  if (!audit_login (self, login, keyslots_changed, error))
    return NULL;

  return g_steal_pointer (&self);
}

CasedbStore *
casedb_store_open (const char  *db_path,
                   const char  *user,
                   const char  *password,
                   GError     **error)
{
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return store_open (db_path, user, password, TRUE, error);
}

static void
remove_files (const char *db_path, const char *keys_path, gboolean remove_keys)
{
  g_autofree char *journal = g_strconcat (db_path, "-journal", NULL);

  g_unlink (db_path);
  g_unlink (journal);
  if (remove_keys)
    g_unlink (keys_path);
}

static gboolean
create_schema (CasedbStore *self, const char *db_id, const char *admin, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *check = keyring_check (self->keys);
  g_autofree char *now = now_iso8601 ();
  g_autofree char *detail = NULL;

  if (!begin_write (self, error))
    return FALSE;

  if (!run_migrations_locked (self, 0, error) ||
      !meta_set (self, "db_id", db_id, error) ||
      !meta_set (self, "keyring_check", check, error) ||
      !meta_set (self, "created", now, error))
    goto fail;

  stmt = prepare (self, "INSERT INTO users (name, role, created, password_changed) "
                        "VALUES (?1, ?2, ?3, ?3)", error);
  if (stmt == NULL)
    goto fail;
  bind_text (stmt, 1, admin);
  bind_text (stmt, 2, casedb_role_to_string (CASEDB_ROLE_SUPERVISOR));
  bind_text (stmt, 3, now);
  if (!step_done (self, stmt, error))
    goto fail;

  detail = g_strdup_printf ("%s (%s), database created", admin,
                            casedb_role_to_string (CASEDB_ROLE_SUPERVISOR));
  if (!audit_locked (self, "user_add", detail, error))
    goto fail;

  return commit (self, error);

fail:
  rollback (self);
  return FALSE;
}

CasedbStore *
casedb_store_create (const char             *db_path,
                     const char             *admin,
                     const char             *password,
                     const CasedbKdfParams  *params,
                     GError                **error)
{
  g_autoptr(CasedbStore) self = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *db_id = NULL;
  gboolean keys_written = FALSE;
  int fd;
  int rc;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (admin != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CASEDB_TYPE_STORE, NULL);
  self->path = g_strdup (db_path);
  self->keys_path = casedb_store_keyslots_path (db_path);
  self->user = g_strdup (admin);
  self->role = CASEDB_ROLE_SUPERVISOR;
  if (params != NULL)
    self->kdf = *params;

  journal = g_strconcat (db_path, "-journal", NULL);
  if (g_file_test (self->keys_path, G_FILE_TEST_EXISTS) || g_file_test (journal, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("“%s” already exists"),
                   g_file_test (self->keys_path, G_FILE_TEST_EXISTS) ? self->keys_path : journal);
      return NULL;
    }

  /* Created empty with 0600 and O_EXCL; SQLite gives its journal the same mode. */
  fd = g_open (db_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CASEDB_ERROR,
                   saved_errno == EEXIST ? CASEDB_ERROR_EXISTS : CASEDB_ERROR_IO,
                   saved_errno == EEXIST ? _("“%s” already exists") : _("Cannot create “%s”: %s"),
                   db_path, g_strerror (saved_errno));
      return NULL;
    }
  close (fd);

  db_id = casedb_random_uuid ();
  self->keys = casedb_keyring_new_random (TRUE);
  self->keyslots = casedb_keyslots_new (db_id);

  if (!casedb_keyslots_add (self->keyslots, admin, CASEDB_ROLE_SUPERVISOR, password,
                            &self->kdf, self->keys, error))
    goto fail;

  self->db = open_db_with_key (db_path, self->keys->data_key, CIPHER_PAGE_SIZE, &rc);
  if (self->db == NULL)
    {
      g_set_error (error, CASEDB_ERROR, sql_error_code (rc),
                   _("Cannot create the database “%s”: %s"), db_path, sqlite3_errstr (rc));
      goto fail;
    }

  if (!create_schema (self, db_id, admin, error))
    goto fail;

  /* The key file is written last, once the database is complete. */
  if (!casedb_keyslots_save (self->keyslots, self->keys_path, error))
    goto fail;
  keys_written = TRUE;

  if (g_chmod (db_path, 0600) != 0)
    g_debug ("chmod %s: %s", db_path, g_strerror (errno));

  return g_steal_pointer (&self);

fail:
  casedb_store_close (self);
  remove_files (db_path, self->keys_path, keys_written);
  return NULL;
}

#ifdef CASEDB_ENABLE_BENCHMARK
CasedbStore *
casedb_store_create_plain_for_benchmark (const char  *db_path,
                                         GError     **error)
{
  g_autoptr(CasedbStore) self = NULL;
  g_autofree char *db_id = casedb_random_uuid ();
  int rc;

  g_return_val_if_fail (db_path != NULL, NULL);

  if (g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS, _("“%s” already exists"), db_path);
      return NULL;
    }
  self = g_object_new (CASEDB_TYPE_STORE, NULL);
  self->path = g_strdup (db_path);
  self->keys_path = casedb_store_keyslots_path (db_path);
  self->user = g_strdup ("bench");
  self->role = CASEDB_ROLE_SUPERVISOR;
  if (!g_file_set_contents_full (db_path, "", 0, G_FILE_SET_CONTENTS_NONE, 0600, error))
    return NULL;
  /* Same sealing work as the real store: only SQLCipher is left out. */
  self->keys = casedb_keyring_new_random (TRUE);
  self->keyslots = casedb_keyslots_new (db_id);
  self->db = open_db_with_key (db_path, NULL, CIPHER_PAGE_SIZE, &rc);
  if (self->db == NULL)
    {
      g_set_error (error, CASEDB_ERROR, sql_error_code (rc),
                   _("Cannot create the database “%s”: %s"), db_path, sqlite3_errstr (rc));
      return NULL;
    }
  if (!create_schema (self, db_id, self->user, error))
    return NULL;
  return g_steal_pointer (&self);
}
#endif

void
casedb_store_close (CasedbStore *self)
{
  g_return_if_fail (CASEDB_IS_STORE (self));

  if (self->db != NULL)
    {
      rollback (self);
      close_db (&self->db);
    }
  g_clear_pointer (&self->keys, casedb_keyring_free);
  g_clear_object (&self->keyslots);
}

void
casedb_store_set_kdf_params (CasedbStore           *self,
                             const CasedbKdfParams *params)
{
  g_return_if_fail (CASEDB_IS_STORE (self));

  if (params != NULL)
    self->kdf = *params;
  else
    casedb_kdf_params_default (&self->kdf);
}

const char *
casedb_store_get_path (CasedbStore *self)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  return self->path;
}

const char *
casedb_store_get_user (CasedbStore *self)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  return self->user;
}

CasedbRole
casedb_store_get_role (CasedbStore *self)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), CASEDB_ROLE_ANALYST);
  return self->role;
}

gboolean
casedb_store_can (CasedbStore      *self,
                  CasedbPermission  perm)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);

  return self->db != NULL && casedb_role_allows (self->role, perm);
}

gboolean
casedb_store_require (CasedbStore       *self,
                      CasedbPermission   perm,
                      GError           **error)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);

  if (self->db == NULL || self->keys == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_FAILED, _("The database is closed"));
      return FALSE;
    }

  if (!casedb_role_allows (self->role, perm))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                   /* Translators: the first %s is a role ("Analyst"), the second
                    * what it may not do ("managing users and keys") */
                   _("Not permitted for the %s role: %s"),
                   casedb_role_get_label (self->role), casedb_permission_get_label (perm));
      return FALSE;
    }

  /* A role may hold the permission but its slot not the key. */
  if (perm == CASEDB_PERM_READ_IDENTITY && !self->keys->has_identity_key)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                           _("Your key slot does not hold the identity key"));
      return FALSE;
    }

  return TRUE;
}

gpointer
casedb_store_get_db_handle (CasedbStore *self)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  return self->db;
}

int
casedb_store_get_schema_version (CasedbStore *self)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), -1);

  if (self->db == NULL)
    return -1;
  return read_user_version (self->db);
}

/* ---------------------------------------------------------------------- */
/* Users                                                                   */

GPtrArray *
casedb_store_list_users (CasedbStore  *self,
                         GError      **error)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return NULL;

  stmt = prepare (self, "SELECT name, role, created, password_changed FROM users ORDER BY name", error);
  if (stmt == NULL)
    return NULL;

  users = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_user_info_free);
  while ((r = step_row (self, stmt, error)) > 0)
    {
      CasedbUserInfo *info = g_new0 (CasedbUserInfo, 1);

      info->name = column_dup (stmt, 0);
      if (!casedb_role_from_string ((const char *) sqlite3_column_text (stmt, 1), &info->role))
        info->role = CASEDB_ROLE_ANALYST;
      info->created = column_dup (stmt, 2);
      info->password_changed = column_dup (stmt, 3);
      g_ptr_array_add (users, info);
    }
  if (r < 0)
    return NULL;

  return g_steal_pointer (&users);
}

/* Role of @user in the users table; NOT_FOUND if there is none. */
static gboolean
user_role (CasedbStore *self, const char *user, CasedbRole *role, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT role FROM users WHERE name = ?1", error);
  int r;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, user);
  if ((r = step_row (self, stmt, error)) < 0)
    return FALSE;
  if (r == 0)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND, _("There is no user “%s”"), user);
      return FALSE;
    }
  if (!casedb_role_from_string ((const char *) sqlite3_column_text (stmt, 0), role))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The user “%s” has an unknown role"), user);
      return FALSE;
    }
  return TRUE;
}

static gboolean
count_supervisors (CasedbStore *self, gint64 *n, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT count(*) FROM users WHERE role = ?1", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, casedb_role_to_string (CASEDB_ROLE_SUPERVISOR));
  if (step_row (self, stmt, error) <= 0)
    return FALSE;
  *n = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
exec_user_sql (CasedbStore *self, const char *sql, const char *a, const char *b,
               const char *c, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, a);
  bind_text (stmt, 2, b);
  bind_text (stmt, 3, c);
  return step_done (self, stmt, error);
}

/* Ends a key-slot change: the DB part is written, now the file, then COMMIT. */
static gboolean
finish_keyslot_change (CasedbStore *self, gboolean ok, GError **error)
{
  if (ok)
    ok = casedb_keyslots_save (self->keyslots, self->keys_path, error);

  if (!ok)
    {
      rollback (self);
      reload_keyslots (self);
      return FALSE;
    }

  return commit (self, error);
}

gboolean
casedb_store_add_user (CasedbStore  *self,
                       const char   *user,
                       CasedbRole    role,
                       const char   *password,
                       GError      **error)
{
  g_autofree char *now = NULL;
  g_autofree char *detail = NULL;
  CasedbRole existing;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return FALSE;

  if (casedb_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, _("Unknown role"));
      return FALSE;
    }

  if (!begin_write (self, error))
    return FALSE;

  if (user_role (self, user, &existing, NULL))
    {
      rollback (self);
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS, _("The user “%s” already exists"), user);
      return FALSE;
    }

  now = now_iso8601 ();
  detail = g_strdup_printf ("%s (%s)", user, casedb_role_to_string (role));
  ok = exec_user_sql (self, "INSERT INTO users (name, role, created, password_changed) "
                            "VALUES (?1, ?2, ?3, ?3)",
                      user, casedb_role_to_string (role), now, error) &&
       audit_locked (self, "user_add", detail, error) &&
       casedb_keyslots_add (self->keyslots, user, role, password, &self->kdf, self->keys, error);

  return finish_keyslot_change (self, ok, error);
}

gboolean
casedb_store_remove_user (CasedbStore  *self,
                          const char   *user,
                          GError      **error)
{
  CasedbRole role;
  gint64 n_supervisors = 0;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return FALSE;

  if (g_strcmp0 (user, self->user) == 0)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("You cannot remove your own account"));
      return FALSE;
    }

  if (!begin_write (self, error))
    return FALSE;

  if (!user_role (self, user, &role, error) || !count_supervisors (self, &n_supervisors, error))
    {
      rollback (self);
      return FALSE;
    }

  if (role == CASEDB_ROLE_SUPERVISOR && n_supervisors <= 1)
    {
      rollback (self);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The last supervisor cannot be removed"));
      return FALSE;
    }

  ok = exec_user_sql (self, "DELETE FROM users WHERE name = ?1", user, NULL, NULL, error) &&
       audit_locked (self, "user_remove", user, error) &&
       casedb_keyslots_remove (self->keyslots, user, error);

  return finish_keyslot_change (self, ok, error);
}

gboolean
casedb_store_set_user_role (CasedbStore  *self,
                            const char   *user,
                            CasedbRole    role,
                            GError      **error)
{
  g_autofree char *detail = NULL;
  CasedbRole old_role;
  gint64 n_supervisors = 0;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return FALSE;

  if (casedb_role_to_string (role) == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, _("Unknown role"));
      return FALSE;
    }

  if (g_strcmp0 (user, self->user) == 0)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("You cannot change your own role"));
      return FALSE;
    }

  if (!begin_write (self, error))
    return FALSE;

  if (!user_role (self, user, &old_role, error) || !count_supervisors (self, &n_supervisors, error))
    {
      rollback (self);
      return FALSE;
    }

  if (old_role == role)
    {
      rollback (self);
      return TRUE;
    }

  if (old_role == CASEDB_ROLE_SUPERVISOR && n_supervisors <= 1)
    {
      rollback (self);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The last supervisor cannot get another role"));
      return FALSE;
    }

  detail = g_strdup_printf ("%s: %s -> %s", user, casedb_role_to_string (old_role),
                            casedb_role_to_string (role));
  ok = exec_user_sql (self, "UPDATE users SET role = ?2 WHERE name = ?1",
                      user, casedb_role_to_string (role), NULL, error) &&
       audit_locked (self, "user_role", detail, error) &&
       casedb_keyslots_set_role (self->keyslots, user, role, self->keys, error);

  return finish_keyslot_change (self, ok, error);
}

gboolean
casedb_store_reset_password (CasedbStore  *self,
                             const char   *user,
                             const char   *new_password,
                             GError      **error)
{
  g_autofree char *now = NULL;
  CasedbRole role;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (new_password != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return FALSE;

  if (!begin_write (self, error))
    return FALSE;

  if (!user_role (self, user, &role, error))
    {
      rollback (self);
      return FALSE;
    }

  now = now_iso8601 ();
  ok = exec_user_sql (self, "UPDATE users SET password_changed = ?2 WHERE name = ?1",
                      user, now, NULL, error) &&
       audit_locked (self, "password_reset", user, error) &&
       casedb_keyslots_reset_password (self->keyslots, user, new_password, &self->kdf,
                                       self->keys, error);

  return finish_keyslot_change (self, ok, error);
}

gboolean
casedb_store_change_password (CasedbStore  *self,
                              const char   *old_password,
                              const char   *new_password,
                              GError      **error)
{
  g_autofree char *now = NULL;
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (old_password != NULL, FALSE);
  g_return_val_if_fail (new_password != NULL, FALSE);

  /* Every role may change its own password. */
  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return FALSE;

  if (!begin_write (self, error))
    return FALSE;

  now = now_iso8601 ();
  ok = exec_user_sql (self, "UPDATE users SET password_changed = ?2 WHERE name = ?1",
                      self->user, now, NULL, error) &&
       audit_locked (self, "password_change", self->user, error) &&
       casedb_keyslots_change_password (self->keyslots, self->user, old_password, new_password,
                                        &self->kdf, error);

  return finish_keyslot_change (self, ok, error);
}

gboolean
casedb_store_change_password_offline (const char  *db_path,
                                      const char  *user,
                                      const char  *old_password,
                                      const char  *new_password,
                                      GError     **error)
{
  g_autoptr(CasedbStore) store = NULL;
  gboolean ok;

  g_return_val_if_fail (db_path != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (old_password != NULL, FALSE);
  g_return_val_if_fail (new_password != NULL, FALSE);

  /* Unlocking checks the old password (and notes a failure); the change
   * itself then writes the slot, users.password_changed and the audit entry
   * together. */
  store = store_open (db_path, user, old_password, FALSE, error);
  if (store == NULL)
    return FALSE;

  ok = casedb_store_change_password (store, old_password, new_password, error);
  casedb_store_close (store);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Rekey                                                                   */

static gboolean
reseal_column (const CasedbKeyring *old_keys,
               const CasedbKeyring *new_keys,
               sqlite3_stmt        *select,
               int                  col,
               const char          *record,
               const char          *field,
               const char          *where,
               GBytes             **out,
               GError             **error)
{
  char *plain = NULL;
  gboolean ok;

  if (!open_column (old_keys->identity_key, select, col, record, field, where, &plain, error))
    return FALSE;
  ok = seal_value (new_keys->identity_key, record, field, plain, out, error);
  casedb_secure_free (plain);
  return ok;
}

/* HMAC index of a code-book name: the same name, written with other case or
 * spacing, finds the same code without storing the name in the clear. */
static void
codebook_index (const guint8 identity_key[CASEDB_KEY_LEN], char kind, const char *name,
                guint8 out[MAC_LEN])
{
  g_autofree char *nfkc = g_utf8_normalize (name, -1, G_NORMALIZE_NFKC);
  g_autofree char *folded = NULL;
  gsize label_len = sizeof CODEBOOK_INDEX_LABEL;
  gsize cap;
  char *buf;
  gsize len;
  gboolean space = FALSE;

  if (nfkc == NULL)   /* not valid UTF-8: index the bytes as they are */
    nfkc = g_strdup (name);
  folded = g_utf8_casefold (nfkc, -1);
  casedb_secure_wipe (nfkc, strlen (nfkc));

  cap = label_len + 2 + strlen (folded) + 1;
  buf = casedb_secure_alloc (cap);
  memcpy (buf, CODEBOOK_INDEX_LABEL, label_len);
  buf[label_len] = kind;
  buf[label_len + 1] = '\0';
  len = label_len + 2;

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (g_unichar_isspace (ch))
        {
          space = TRUE;
          continue;
        }
      if (space && len > label_len + 2)
        buf[len++] = ' ';
      space = FALSE;
      len += g_unichar_to_utf8 (ch, buf + len);
    }

  casedb_hmac_sha256 (identity_key, CASEDB_KEY_LEN, (const guint8 *) buf, len, out);
  casedb_secure_wipe (folded, strlen (folded));
  casedb_secure_free (buf);
}

static gboolean
reseal_all_locked (CasedbStore *self, const CasedbKeyring *new_keys, GError **error)
{
  const CasedbKeyring *old_keys = self->keys;
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  int r;

  /* Cases: rows stay in place (rowid scan, only unindexed BLOBs change). */
  sel = prepare (self, "SELECT id, uuid, code, location_detail, narrative, followup_notes,"
                       " referral_notes, consent_withhold_from, consent_withhold_reason FROM cases", error);
  upd = prepare (self, "UPDATE cases SET location_detail = ?2, narrative = ?3, followup_notes = ?4,"
                       " referral_notes = ?5, consent_withhold_from = ?6, consent_withhold_reason = ?7"
                       " WHERE id = ?1", error);
  if (sel == NULL || upd == NULL)
    return FALSE;

  while ((r = step_row (self, sel, error)) > 0)
    {
      const char *uuid = (const char *) sqlite3_column_text (sel, 1);
      const char *code = (const char *) sqlite3_column_text (sel, 2);

      sqlite3_reset (upd);
      sqlite3_bind_int64 (upd, 1, sqlite3_column_int64 (sel, 0));
      for (guint i = 0; i < N_CASE_IDENTITY; i++)
        {
          g_autoptr(GBytes) sealed = NULL;

          if (!reseal_column (old_keys, new_keys, sel, 3 + i, uuid, case_identity_columns[i],
                              code, &sealed, error))
            return FALSE;
          bind_bytes (upd, 2 + i, sealed);
        }
      if (!step_done (self, upd, error))
        return FALSE;
    }
  if (r < 0)
    return FALSE;
  g_clear_pointer (&sel, sqlite3_finalize);
  g_clear_pointer (&upd, sqlite3_finalize);

  sel = prepare (self, "SELECT v.id, c.uuid, v.code, v.name, v.guardian, v.contact"
                       " FROM victims v JOIN cases c ON c.id = v.case_id", error);
  upd = prepare (self, "UPDATE victims SET name = ?2, guardian = ?3, contact = ?4 WHERE id = ?1", error);
  if (sel == NULL || upd == NULL)
    return FALSE;

  while ((r = step_row (self, sel, error)) > 0)
    {
      const char *vcode = (const char *) sqlite3_column_text (sel, 2);
      g_autofree char *record = victim_record ((const char *) sqlite3_column_text (sel, 1), vcode);

      sqlite3_reset (upd);
      sqlite3_bind_int64 (upd, 1, sqlite3_column_int64 (sel, 0));
      for (guint i = 0; i < N_VICTIM_IDENTITY; i++)
        {
          g_autoptr(GBytes) sealed = NULL;

          if (!reseal_column (old_keys, new_keys, sel, 3 + i, record, victim_identity_columns[i],
                              vcode, &sealed, error))
            return FALSE;
          bind_bytes (upd, 2 + i, sealed);
        }
      if (!step_done (self, upd, error))
        return FALSE;
    }
  if (r < 0)
    return FALSE;
  g_clear_pointer (&sel, sqlite3_finalize);
  g_clear_pointer (&upd, sqlite3_finalize);

  /* The code book's UNIQUE index changes too: read the codes first. */
  codes = g_ptr_array_new_with_free_func (g_free);
  sel = prepare (self, "SELECT code FROM codebook", error);
  if (sel == NULL)
    return FALSE;
  while ((r = step_row (self, sel, error)) > 0)
    g_ptr_array_add (codes, column_dup (sel, 0));
  if (r < 0)
    return FALSE;
  g_clear_pointer (&sel, sqlite3_finalize);

  sel = prepare (self, "SELECT kind, name_sealed FROM codebook WHERE code = ?1", error);
  upd = prepare (self, "UPDATE codebook SET name_sealed = ?2, name_index = ?3 WHERE code = ?1", error);
  if (sel == NULL || upd == NULL)
    return FALSE;

  for (guint i = 0; i < codes->len; i++)
    {
      const char *code = g_ptr_array_index (codes, i);
      g_autoptr(GBytes) sealed = NULL;
      guint8 index[MAC_LEN];
      char *name = NULL;
      const char *kind;

      sqlite3_reset (sel);
      bind_text (sel, 1, code);
      if (step_row (self, sel, error) <= 0)
        return FALSE;
      kind = (const char *) sqlite3_column_text (sel, 0);
      if (!open_column (old_keys->identity_key, sel, 1, code, "name", code, &name, error))
        return FALSE;
      if (name == NULL)
        continue;
      codebook_index (new_keys->identity_key, kind != NULL ? kind[0] : '?', name, index);
      if (!seal_value (new_keys->identity_key, code, "name", name, &sealed, error))
        {
          casedb_secure_free (name);
          return FALSE;
        }
      casedb_secure_free (name);

      sqlite3_reset (upd);
      bind_text (upd, 1, code);
      bind_bytes (upd, 2, sealed);
      sqlite3_bind_blob (upd, 3, index, MAC_LEN, SQLITE_TRANSIENT);
      if (!step_done (self, upd, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
casedb_store_rekey (CasedbStore  *self,
                    GError      **error)
{
  g_autoptr(CasedbKeyring) new_keys = NULL;
  g_autofree char *check = NULL;
  g_autofree char *detail = NULL;
  char *key_str;
  gboolean ok;
  int rc;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_MANAGE_USERS, error))
    return FALSE;

  if (!self->keys->has_identity_key)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                           _("Your key slot does not hold the identity key"));
      return FALSE;
    }

  new_keys = casedb_keyring_new_random (TRUE);
  /* The audit chain continues across key changes. */
  memcpy (new_keys->audit_key, self->keys->audit_key, CASEDB_KEY_LEN);
  check = keyring_check (new_keys);
  detail = g_strdup_printf ("key generation %u", casedb_keyslots_get_generation (self->keyslots) + 1);

  /* 1. Re-seal every identity under the new identity key, in one
   *    transaction, and stage the new keyring in every slot before COMMIT. */
  if (!begin_write (self, error))
    return FALSE;

  ok = reseal_all_locked (self, new_keys, error) &&
       meta_set (self, "keyring_check", check, error) &&
       audit_locked (self, "rekey", detail, error) &&
       casedb_keyslots_stage_keyring (self->keyslots, new_keys, error);

  if (!finish_keyslot_change (self, ok, error))
    return FALSE;

  /* From here the seals belong to the new keyring; store_open() completes
   * the steps below if we stop half-way. */
  memcpy (self->keys->identity_key, new_keys->identity_key, CASEDB_KEY_LEN);

  /* 2. Re-encrypt every page under the new data key. */
  key_str = raw_key_string (new_keys->data_key);
  rc = sqlite3_rekey (self->db, key_str, RAW_KEY_STRLEN);
  casedb_secure_free (key_str);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self->db, rc, error);
      return FALSE;
    }
  memcpy (self->keys->data_key, new_keys->data_key, CASEDB_KEY_LEN);

  /* 3. The new keyring becomes the current one. */
  casedb_keyslots_commit_pending (self->keyslots);
  if (!casedb_keyslots_save (self->keyslots, self->keys_path, error))
    {
      g_prefix_error (error, _("The database was re-encrypted but the key file could not be updated; "
                               "the change is completed when it is next opened: "));
      return FALSE;
    }

  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Queries                                                                 */

static char *
like_pattern (const char *text)
{
  GString *s = g_string_new ("%");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '%');
  return g_string_free (s, FALSE);
}

/* Appends " AND …" conditions for @q on the cases table (alias @t) and
 * collects the text values to bind, in order. */
static gboolean
build_where (const CasedbQuery  *q,
             const char         *t,
             gboolean            with_violation,
             GString            *sql,
             GPtrArray          *args,
             GError            **error)
{
  if (q == NULL)
    return TRUE;

  if (with_violation && q->violation >= 0)
    {
      if (q->violation >= CASEDB_N_VIOLATIONS)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                               _("Unknown violation"));
          return FALSE;
        }
      g_string_append_printf (sql, " AND (%sviolation_mask & %u) != 0", t, 1u << q->violation);
    }

  if (!is_blank (q->from))
    {
      if (!casedb_date_valid (q->from))
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                       _("“%s” is not a valid date (YYYY-MM-DD)"), q->from);
          return FALSE;
        }
      g_string_append_printf (sql, " AND %sincident_date >= ?", t);
      g_ptr_array_add (args, g_strdup (q->from));
    }

  if (!is_blank (q->to))
    {
      if (!casedb_date_valid (q->to))
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                       _("“%s” is not a valid date (YYYY-MM-DD)"), q->to);
          return FALSE;
        }
      g_string_append_printf (sql, " AND %sincident_date <= ?", t);
      g_ptr_array_add (args, g_strdup (q->to));
    }

  if (q->region != NULL)
    {
      g_string_append_printf (sql, " AND %sregion = ?", t);
      g_ptr_array_add (args, g_strdup (q->region));
    }

  if (q->verification >= 0)
    {
      if (q->verification > CASEDB_VERIFICATION_VERIFIED)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                               _("Unknown verification status"));
          return FALSE;
        }
      g_string_append_printf (sql, " AND %sverification = ?", t);
      g_ptr_array_add (args, g_strdup (casedb_verification_to_key (q->verification)));
    }

  if (q->draft >= 0)
    g_string_append_printf (sql, " AND %sdraft = %d", t, q->draft ? 1 : 0);

  if (q->needs_followup >= 0)
    g_string_append_printf (sql, " AND %sneeds_followup = %d", t, q->needs_followup ? 1 : 0);

  /* Coded fields only: identities are sealed and never searched here. */
  if (!is_blank (q->text))
    {
      g_autofree char *pattern = like_pattern (q->text);

      g_string_append_printf (sql, " AND (%scode LIKE ? ESCAPE '\\' OR %sreference LIKE ? ESCAPE '\\'"
                                   " OR %ssummary LIKE ? ESCAPE '\\')", t, t, t);
      for (guint i = 0; i < 3; i++)
        g_ptr_array_add (args, g_strdup (pattern));
    }

  return TRUE;
}

static sqlite3_stmt *
prepare_query (CasedbStore *self, const char *sql, GPtrArray *args, GError **error)
{
  sqlite3_stmt *stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < args->len; i++)
    bind_text (stmt, (int) i + 1, g_ptr_array_index (args, i));
  return stmt;
}

GListModel *
casedb_store_list_cases (CasedbStore        *self,
                         const CasedbQuery  *query,
                         GError            **error)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GListStore *store;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return NULL;

  sql = g_string_new ("SELECT id, code, reference, incident_date, region, violation_mask, n_victims,"
                      " verification, draft, needs_followup, summary FROM cases WHERE 1");
  args = g_ptr_array_new_with_free_func (g_free);
  if (!build_where (query, "", TRUE, sql, args, error))
    return NULL;
  /* By year, then by number (NNNN may grow past four digits). */
  g_string_append (sql, " ORDER BY substr(code, 3, 4), length(code), code");

  if ((stmt = prepare_query (self, sql->str, args, error)) == NULL)
    return NULL;

  rows = g_ptr_array_new_with_free_func (g_object_unref);
  while ((r = step_row (self, stmt, error)) > 0)
    {
      CasedbVerification v = CASEDB_VERIFICATION_UNVERIFIED;

      casedb_verification_from_key ((const char *) sqlite3_column_text (stmt, 7), &v);
      g_ptr_array_add (rows,
                       casedb_case_row_new (sqlite3_column_int64 (stmt, 0),
                                            (const char *) sqlite3_column_text (stmt, 1),
                                            (const char *) sqlite3_column_text (stmt, 2),
                                            (const char *) sqlite3_column_text (stmt, 3),
                                            (const char *) sqlite3_column_text (stmt, 4),
                                            (guint) sqlite3_column_int64 (stmt, 5),
                                            (guint) sqlite3_column_int64 (stmt, 6),
                                            v,
                                            sqlite3_column_int (stmt, 8) != 0,
                                            sqlite3_column_int (stmt, 9) != 0,
                                            (const char *) sqlite3_column_text (stmt, 10)));
    }
  if (r < 0)
    return NULL;

  store = g_list_store_new (CASEDB_TYPE_CASE_ROW);
  g_list_store_splice (store, 0, 0, rows->pdata, rows->len);
  return G_LIST_MODEL (store);
}

gboolean
casedb_store_count_by_violation (CasedbStore        *self,
                                 const CasedbQuery  *query,
                                 guint               counts[CASEDB_N_VIOLATIONS],
                                 guint              *total,
                                 GError            **error)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return FALSE;

  sql = g_string_new ("SELECT count(*)");
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    g_string_append_printf (sql, ", coalesce(sum((violation_mask >> %u) & 1), 0)", k);
  g_string_append (sql, " FROM cases WHERE 1");
  args = g_ptr_array_new_with_free_func (g_free);
  if (!build_where (query, "", FALSE, sql, args, error))
    return FALSE;

  if ((stmt = prepare_query (self, sql->str, args, error)) == NULL)
    return FALSE;
  if (step_row (self, stmt, error) <= 0)
    return FALSE;

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    counts[k] = (guint) sqlite3_column_int64 (stmt, (int) k + 1);
  if (total != NULL)
    *total = (guint) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

char **
casedb_store_list_regions (CasedbStore  *self,
                           GError      **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return NULL;

  stmt = prepare (self, "SELECT DISTINCT region FROM cases WHERE region IS NOT NULL AND region != ''"
                        " ORDER BY region", error);
  if (stmt == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  while ((r = step_row (self, stmt, error)) > 0)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (r < 0)
    return NULL;

  return g_strv_builder_end (builder);
}

gboolean
casedb_store_has_reference (CasedbStore  *self,
                            const char   *reference,
                            gboolean     *exists,
                            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (reference != NULL, FALSE);
  g_return_val_if_fail (exists != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return FALSE;

  if ((stmt = prepare (self, "SELECT 1 FROM cases WHERE reference = ?1", error)) == NULL)
    return FALSE;
  bind_text (stmt, 1, reference);
  if ((r = step_row (self, stmt, error)) < 0)
    return FALSE;
  *exists = r > 0;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Loading a case                                                          */

#define CASE_COLUMNS \
  "id, uuid, code, reference, incident_date, report_date, region, source_code, verification," \
  " summary, draft, needs_followup, consent_by, consent_date, consent_informed, consent_uses," \
  " consent_legal_basis, consent_retention_review, created, updated, updated_by," \
  " location_detail, narrative, followup_notes, referral_notes, consent_withhold_from," \
  " consent_withhold_reason"
#define CASE_COL_IDENTITY 21

static void
set_corrupt_value (CasedbStore *self, const char *code, const char *what, GError **error)
{
  g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
               _("The database “%s” is damaged: case %s has an invalid %s"),
               self->path, code != NULL ? code : "?", what);
}

static CasedbCase *
load_case_locked (CasedbStore  *self,
                  sqlite3_stmt *stmt,
                  gboolean      with_identities,
                  GError      **error)
{
  g_autoptr(CasedbCase) c = casedb_case_new ();
  g_autoptr(sqlite3_stmt) vs = NULL;
  g_autoptr(sqlite3_stmt) vios = NULL;
  g_autoptr(sqlite3_stmt) links = NULL;
  g_autoptr(GHashTable) victim_index = NULL;
  g_autoptr(GHashTable) violation_index = NULL;
  const guint8 *ikey = self->keys->identity_key;
  int r;

  c->id = sqlite3_column_int64 (stmt, 0);
  c->uuid = column_dup (stmt, 1);
  c->code = column_dup (stmt, 2);
  c->reference = column_dup (stmt, 3);
  c->incident_date = column_dup (stmt, 4);
  c->report_date = column_dup (stmt, 5);
  c->region = column_dup (stmt, 6);
  c->source_code = column_dup (stmt, 7);
  if (!casedb_verification_from_key ((const char *) sqlite3_column_text (stmt, 8), &c->verification))
    {
      set_corrupt_value (self, c->code, "verification", error);
      return NULL;
    }
  c->summary = column_dup (stmt, 9);
  c->draft = sqlite3_column_int (stmt, 10) != 0;
  c->needs_followup = sqlite3_column_int (stmt, 11) != 0;
  if (!casedb_consent_by_from_key ((const char *) sqlite3_column_text (stmt, 12), &c->consent.given_by))
    {
      set_corrupt_value (self, c->code, "consent", error);
      return NULL;
    }
  c->consent.date = column_dup (stmt, 13);
  c->consent.informed = sqlite3_column_int (stmt, 14) != 0;
  c->consent.uses = (CasedbConsentUses) sqlite3_column_int (stmt, 15);
  c->consent.legal_basis = column_dup (stmt, 16);
  c->consent.retention_review = column_dup (stmt, 17);
  c->created = column_dup (stmt, 18);
  c->updated = column_dup (stmt, 19);
  c->updated_by = column_dup (stmt, 20);
  c->has_identities = with_identities;

  if (with_identities)
    {
      for (guint i = 0; i < N_CASE_IDENTITY; i++)
        if (!open_column (ikey, stmt, CASE_COL_IDENTITY + (int) i, c->uuid, case_identity_columns[i],
                          c->code, case_identity_field (c, i), error))
          return NULL;
    }

  vs = prepare (self, "SELECT id, code, sex, age, name, guardian, contact FROM victims"
                      " WHERE case_id = ?1 ORDER BY position", error);
  if (vs == NULL)
    return NULL;
  sqlite3_bind_int64 (vs, 1, c->id);
  victim_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  while ((r = step_row (self, vs, error)) > 0)
    {
      CasedbVictim *v = casedb_case_add_victim (c);
      gint64 *id = g_new (gint64, 1);

      *id = sqlite3_column_int64 (vs, 0);
      g_hash_table_insert (victim_index, id, GUINT_TO_POINTER (c->victims->len));
      v->code = column_dup (vs, 1);
      if (!casedb_sex_from_key ((const char *) sqlite3_column_text (vs, 2), &v->sex))
        {
          set_corrupt_value (self, c->code, "victim sex", error);
          return NULL;
        }
      v->age = sqlite3_column_int (vs, 3);

      if (with_identities)
        {
          g_autofree char *record = victim_record (c->uuid, v->code);
          g_autofree char *where = g_strdup_printf ("%s %s", c->code, v->code);

          for (guint i = 0; i < N_VICTIM_IDENTITY; i++)
            if (!open_column (ikey, vs, 4 + (int) i, record, victim_identity_columns[i], where,
                              victim_identity_field (v, i), error))
              return NULL;
        }
    }
  if (r < 0)
    return NULL;

  vios = prepare (self, "SELECT id, kind, subtype, perpetrator_code FROM violations"
                        " WHERE case_id = ?1 ORDER BY position", error);
  if (vios == NULL)
    return NULL;
  sqlite3_bind_int64 (vios, 1, c->id);
  violation_index = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  while ((r = step_row (self, vios, error)) > 0)
    {
      CasedbViolationKind kind;
      CasedbViolation *v;
      gint64 *id = g_new (gint64, 1);

      if (!casedb_violation_from_key ((const char *) sqlite3_column_text (vios, 1), &kind))
        {
          g_free (id);
          set_corrupt_value (self, c->code, "violation", error);
          return NULL;
        }
      v = casedb_case_add_violation (c, kind);
      *id = sqlite3_column_int64 (vios, 0);
      g_hash_table_insert (violation_index, id, v);
      v->subtype = column_dup (vios, 2);
      v->perpetrator_code = column_dup (vios, 3);
    }
  if (r < 0)
    return NULL;

  links = prepare (self, "SELECT vv.violation_id, vv.victim_id FROM violation_victims vv"
                         " JOIN violations vi ON vi.id = vv.violation_id"
                         " JOIN victims ve ON ve.id = vv.victim_id"
                         " WHERE vi.case_id = ?1 ORDER BY vi.position, ve.position", error);
  if (links == NULL)
    return NULL;
  sqlite3_bind_int64 (links, 1, c->id);
  while ((r = step_row (self, links, error)) > 0)
    {
      gint64 violation_id = sqlite3_column_int64 (links, 0);
      gint64 victim_id = sqlite3_column_int64 (links, 1);
      CasedbViolation *v = g_hash_table_lookup (violation_index, &violation_id);
      /* Victim positions are stored 1-based so that 0 means "not found". */
      guint idx = GPOINTER_TO_UINT (g_hash_table_lookup (victim_index, &victim_id));

      if (v == NULL || idx == 0)
        {
          set_corrupt_value (self, c->code, "victim link", error);
          return NULL;
        }
      idx--;
      g_array_append_val (v->victims, idx);
    }
  if (r < 0)
    return NULL;

  return g_steal_pointer (&c);
}

static CasedbCase *
load_case (CasedbStore  *self,
           const char   *where,
           gint64        id,
           const char   *code,
           gboolean      with_identities,
           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CasedbCase) c = NULL;
  g_autofree char *sql = NULL;
  gboolean ok;
  int r;

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return NULL;
  if (with_identities && !casedb_store_require (self, CASEDB_PERM_READ_IDENTITY, error))
    return NULL;

  /* Identity reads are audited in the same transaction as the read. */
  if (!(with_identities ? begin_write (self, error) : begin_read (self, error)))
    return NULL;

  sql = g_strdup_printf ("SELECT " CASE_COLUMNS " FROM cases WHERE %s = ?1", where);
  stmt = prepare (self, sql, error);
  ok = stmt != NULL;
  if (ok)
    {
      if (code != NULL)
        bind_text (stmt, 1, code);
      else
        sqlite3_bind_int64 (stmt, 1, id);

      r = step_row (self, stmt, error);
      if (r == 0)
        {
          if (code != NULL)
            g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND, _("There is no case %s"), code);
          else
            g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                         _("There is no case with id %" G_GINT64_FORMAT), id);
        }
      ok = r > 0 && (c = load_case_locked (self, stmt, with_identities, error)) != NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (ok && with_identities)
    ok = audit_locked (self, "identity_read", c->code, error);

  if (!finish (self, ok, error))
    return NULL;

  return g_steal_pointer (&c);
}

CasedbCase *
casedb_store_load_case (CasedbStore  *self,
                        gint64        id,
                        gboolean      with_identities,
                        GError      **error)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  return load_case (self, "id", id, NULL, with_identities, error);
}

CasedbCase *
casedb_store_load_case_by_code (CasedbStore  *self,
                                const char   *code,
                                gboolean      with_identities,
                                GError      **error)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  return load_case (self, "code", 0, code, with_identities, error);
}

/* ---------------------------------------------------------------------- */
/* Saving cases                                                            */

static char *
violation_keys (const CasedbCase *c)
{
  guint mask = casedb_case_get_violation_mask (c);
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if ((mask & (1u << k)) == 0)
        continue;
      if (s->len > 0)
        g_string_append_c (s, ';');
      g_string_append (s, casedb_violation_to_key ((CasedbViolationKind) k));
    }
  return g_string_free (s, FALSE);
}

static gboolean
next_case_code (CasedbStore *self, const CasedbCase *c, char **code, GError **error)
{
  g_autofree char *year = NULL;
  g_autofree char *key = NULL;
  guint64 n;

  if (casedb_date_valid (c->incident_date))
    year = g_strndup (c->incident_date, 4);
  else
    year = current_year ();

  key = g_strdup_printf ("seq_case_%s", year);
  if (!meta_next_seq (self, key, &n, error))
    return FALSE;
  *code = g_strdup_printf ("C-%s-%04" G_GUINT64_FORMAT, year, n);
  return TRUE;
}

static gboolean
next_victim_code (CasedbStore *self, char **code, GError **error)
{
  guint64 n;

  if (!meta_next_seq (self, "seq_victim", &n, error))
    return FALSE;
  *code = g_strdup_printf ("V-%06" G_GUINT64_FORMAT, n);
  return TRUE;
}

static gboolean
check_reference_free (CasedbStore *self, const char *reference, gint64 id, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int r;

  if (is_blank (reference))
    return TRUE;
  stmt = prepare (self, "SELECT 1 FROM cases WHERE reference = ?1 AND id != ?2", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, reference);
  sqlite3_bind_int64 (stmt, 2, id);
  if ((r = step_row (self, stmt, error)) < 0)
    return FALSE;
  if (r > 0)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("A case with the reference “%s” already exists"), reference);
      return FALSE;
    }
  return TRUE;
}

/* Parameters ?1–?23 coded, ?24–?29 sealed identities, ?30 id. */
#define CASE_INSERT_SQL \
  "INSERT INTO cases (uuid, code, reference, incident_date, report_date, region, violation_mask," \
  " violation_keys, n_victims, source_code, verification, summary, draft, needs_followup," \
  " consent_by, consent_date, consent_informed, consent_uses, consent_legal_basis," \
  " consent_retention_review, created, updated, updated_by, location_detail, narrative," \
  " followup_notes, referral_notes, consent_withhold_from, consent_withhold_reason)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18," \
  " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
#define CASE_UPDATE_SQL \
  "UPDATE cases SET uuid = ?1, code = ?2, reference = ?3, incident_date = ?4, report_date = ?5," \
  " region = ?6, violation_mask = ?7, violation_keys = ?8, n_victims = ?9, source_code = ?10," \
  " verification = ?11, summary = ?12, draft = ?13, needs_followup = ?14, consent_by = ?15," \
  " consent_date = ?16, consent_informed = ?17, consent_uses = ?18, consent_legal_basis = ?19," \
  " consent_retention_review = ?20, created = ?21, updated = ?22, updated_by = ?23"
#define CASE_UPDATE_IDENTITY_SQL \
  ", location_detail = ?24, narrative = ?25, followup_notes = ?26, referral_notes = ?27," \
  " consent_withhold_from = ?28, consent_withhold_reason = ?29"

static void
bind_case_coded (sqlite3_stmt *stmt, const CasedbCase *c)
{
  g_autofree char *keys = violation_keys (c);

  bind_text (stmt, 1, c->uuid);
  bind_text (stmt, 2, c->code);
  bind_opt_text (stmt, 3, c->reference);
  bind_opt_text (stmt, 4, c->incident_date);
  bind_opt_text (stmt, 5, c->report_date);
  bind_opt_text (stmt, 6, c->region);
  sqlite3_bind_int64 (stmt, 7, casedb_case_get_violation_mask (c));
  bind_text (stmt, 8, keys);
  sqlite3_bind_int64 (stmt, 9, c->victims->len);
  bind_opt_text (stmt, 10, c->source_code);
  bind_text (stmt, 11, casedb_verification_to_key (c->verification));
  bind_opt_text (stmt, 12, c->summary);
  sqlite3_bind_int (stmt, 13, c->draft ? 1 : 0);
  sqlite3_bind_int (stmt, 14, c->needs_followup ? 1 : 0);
  bind_text (stmt, 15, casedb_consent_by_to_key (c->consent.given_by));
  bind_opt_text (stmt, 16, c->consent.date);
  sqlite3_bind_int (stmt, 17, c->consent.informed ? 1 : 0);
  sqlite3_bind_int64 (stmt, 18, c->consent.uses);
  bind_opt_text (stmt, 19, c->consent.legal_basis);
  bind_opt_text (stmt, 20, c->consent.retention_review);
  bind_text (stmt, 21, c->created);
  bind_text (stmt, 22, c->updated);
  bind_text (stmt, 23, c->updated_by);
}

static gboolean
bind_case_identities (CasedbStore *self, sqlite3_stmt *stmt, CasedbCase *c, GError **error)
{
  for (guint i = 0; i < N_CASE_IDENTITY; i++)
    {
      g_autoptr(GBytes) sealed = NULL;

      if (!seal_value (self->keys->identity_key, c->uuid, case_identity_columns[i],
                       *case_identity_field (c, i), &sealed, error))
        return FALSE;
      bind_bytes (stmt, 24 + (int) i, sealed);
    }
  return TRUE;
}

static gboolean
bind_victim_identities (CasedbStore *self, sqlite3_stmt *stmt, int first, const CasedbCase *c,
                        CasedbVictim *v, GError **error)
{
  g_autofree char *record = victim_record (c->uuid, v->code);

  for (guint i = 0; i < N_VICTIM_IDENTITY; i++)
    {
      g_autoptr(GBytes) sealed = NULL;

      if (!seal_value (self->keys->identity_key, record, victim_identity_columns[i],
                       *victim_identity_field (v, i), &sealed, error))
        return FALSE;
      bind_bytes (stmt, first + (int) i, sealed);
    }
  return TRUE;
}

static gboolean
save_victims_locked (CasedbStore *self, CasedbCase *c, gint64 *victim_ids, GError **error)
{
  g_autoptr(GHashTable) existing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(sqlite3_stmt) upd_id = NULL;
  g_autoptr(sqlite3_stmt) del = NULL;
  GHashTableIter iter;
  gpointer value;
  int r;

  sel = prepare (self, "SELECT id, code FROM victims WHERE case_id = ?1", error);
  if (sel == NULL)
    return FALSE;
  sqlite3_bind_int64 (sel, 1, c->id);
  while ((r = step_row (self, sel, error)) > 0)
    {
      gint64 *id = g_new (gint64, 1);

      *id = sqlite3_column_int64 (sel, 0);
      g_hash_table_insert (existing, column_dup (sel, 1), id);
    }
  if (r < 0)
    return FALSE;

  ins = prepare (self, "INSERT INTO victims (case_id, code, position, sex, age, name, guardian, contact)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  upd = prepare (self, "UPDATE victims SET position = ?3, sex = ?4, age = ?5, name = ?6, guardian = ?7,"
                       " contact = ?8 WHERE id = ?1 AND code = ?2", error);
  upd_id = prepare (self, "UPDATE victims SET position = ?3, sex = ?4, age = ?5"
                          " WHERE id = ?1 AND code = ?2", error);
  if (ins == NULL || upd == NULL || upd_id == NULL)
    return FALSE;

  for (guint i = 0; i < c->victims->len; i++)
    {
      CasedbVictim *v = g_ptr_array_index (c->victims, i);
      gint64 *id = v->code != NULL ? g_hash_table_lookup (existing, v->code) : NULL;

      if (id != NULL)
        {
          /* Loaded without identities: the stored seals stay as they are. */
          sqlite3_stmt *stmt = c->has_identities ? upd : upd_id;

          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, *id);
          bind_text (stmt, 2, v->code);
          sqlite3_bind_int (stmt, 3, (int) i);
          bind_text (stmt, 4, casedb_sex_to_key (v->sex));
          sqlite3_bind_int (stmt, 5, v->age);
          if (c->has_identities && !bind_victim_identities (self, stmt, 6, c, v, error))
            return FALSE;
          if (!step_done (self, stmt, error))
            return FALSE;
          victim_ids[i] = *id;
          g_hash_table_remove (existing, v->code);
        }
      else
        {
          /* Codes are local: a victim new to this case gets a fresh one. */
          g_clear_pointer (&v->code, g_free);
          if (!next_victim_code (self, &v->code, error))
            return FALSE;

          sqlite3_reset (ins);
          sqlite3_bind_int64 (ins, 1, c->id);
          bind_text (ins, 2, v->code);
          sqlite3_bind_int (ins, 3, (int) i);
          bind_text (ins, 4, casedb_sex_to_key (v->sex));
          sqlite3_bind_int (ins, 5, v->age);
          if (!bind_victim_identities (self, ins, 6, c, v, error) || !step_done (self, ins, error))
            return FALSE;
          victim_ids[i] = sqlite3_last_insert_rowid (self->db);
        }
    }

  del = prepare (self, "DELETE FROM victims WHERE id = ?1", error);
  if (del == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, existing);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      sqlite3_reset (del);
      sqlite3_bind_int64 (del, 1, *(gint64 *) value);
      if (!step_done (self, del, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
save_violations_locked (CasedbStore *self, CasedbCase *c, const gint64 *victim_ids, GError **error)
{
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) link = NULL;

  del = prepare (self, "DELETE FROM violations WHERE case_id = ?1", error);
  ins = prepare (self, "INSERT INTO violations (case_id, position, kind, subtype, perpetrator_code)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  link = prepare (self, "INSERT OR IGNORE INTO violation_victims (violation_id, victim_id)"
                        " VALUES (?1, ?2)", error);
  if (del == NULL || ins == NULL || link == NULL)
    return FALSE;

  sqlite3_bind_int64 (del, 1, c->id);
  if (!step_done (self, del, error))
    return FALSE;

  for (guint i = 0; i < c->violations->len; i++)
    {
      CasedbViolation *v = g_ptr_array_index (c->violations, i);
      gint64 violation_id;

      sqlite3_reset (ins);
      sqlite3_bind_int64 (ins, 1, c->id);
      sqlite3_bind_int (ins, 2, (int) i);
      bind_text (ins, 3, casedb_violation_to_key (v->kind));
      bind_opt_text (ins, 4, v->subtype);
      bind_opt_text (ins, 5, v->perpetrator_code);
      if (!step_done (self, ins, error))
        return FALSE;
      violation_id = sqlite3_last_insert_rowid (self->db);

      for (guint j = 0; v->victims != NULL && j < v->victims->len; j++)
        {
          guint idx = g_array_index (v->victims, guint, j);

          g_assert (idx < c->victims->len);   /* checked by casedb_case_validate() */
          sqlite3_reset (link);
          sqlite3_bind_int64 (link, 1, violation_id);
          sqlite3_bind_int64 (link, 2, victim_ids[idx]);
          if (!step_done (self, link, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean save_cases_internal (CasedbStore *self, GPtrArray *cases, gboolean import,
                                     const char *import_detail, GError **error);

/* Saves @c inside the caller's transaction; the caller restores what it
 * assigned if the transaction is rolled back. */
static gboolean
save_case_locked (CasedbStore *self, CasedbCase *c, const char *now, gboolean audit,
                  GError **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree gint64 *victim_ids = NULL;
  gboolean insert = c->id == 0;

  if ((problems = casedb_case_validate (c)) != NULL)
    {
      g_autofree char *joined = NULL;

      g_ptr_array_add (problems, NULL);
      joined = g_strjoinv ("\n", (char **) problems->pdata);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, joined);
      return FALSE;
    }

  /* Only a supervisor may *make* a case verified; a caseworker may still
   * add follow-up notes to a case a supervisor verified. */
  if (c->verification == CASEDB_VERIFICATION_VERIFIED &&
      !casedb_store_can (self, CASEDB_PERM_VERIFY_CASES))
    {
      g_autoptr(sqlite3_stmt) old = NULL;
      int stored = -1;

      if (!insert)
        {
          old = prepare (self, "SELECT verification FROM cases WHERE id = ?1", error);
          if (old == NULL)
            return FALSE;
          sqlite3_bind_int64 (old, 1, c->id);
          if (step_row (self, old, error) > 0)
            {
              const char *key = (const char *) sqlite3_column_text (old, 0);
              CasedbVerification v;

              if (key != NULL && casedb_verification_from_key (key, &v))
                stored = v;
            }
        }
      if (stored != CASEDB_VERIFICATION_VERIFIED &&
          !casedb_store_require (self, CASEDB_PERM_VERIFY_CASES, error))
        return FALSE;
    }

  if (!self->keys->has_identity_key)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                           _("Your key slot does not hold the identity key"));
      return FALSE;
    }

  if (!check_reference_free (self, c->reference, c->id, error))
    return FALSE;

  if (insert)
    {
      if (c->uuid == NULL)
        c->uuid = casedb_random_uuid ();
      else if (!g_uuid_string_is_valid (c->uuid))
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                       _("“%s” is not a valid case identifier"), c->uuid);
          return FALSE;
        }
      else
        {
          g_autoptr(sqlite3_stmt) dup = prepare (self, "SELECT code FROM cases WHERE uuid = ?1", error);
          int r;

          if (dup == NULL)
            return FALSE;
          bind_text (dup, 1, c->uuid);
          if ((r = step_row (self, dup, error)) < 0)
            return FALSE;
          if (r > 0)
            {
              g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                           _("This case is already stored as %s"), sqlite3_column_text (dup, 0));
              return FALSE;
            }
        }

      g_clear_pointer (&c->code, g_free);
      if (!next_case_code (self, c, &c->code, error))
        return FALSE;
      g_free (c->created);
      c->created = g_strdup (now);
      /* A new case holds whatever identity fields it was given. */
      c->has_identities = TRUE;
    }
  else
    {
      g_autoptr(sqlite3_stmt) cur = prepare (self, "SELECT uuid, code, created FROM cases WHERE id = ?1",
                                             error);
      int r;

      if (cur == NULL)
        return FALSE;
      sqlite3_bind_int64 (cur, 1, c->id);
      if ((r = step_row (self, cur, error)) < 0)
        return FALSE;
      if (r == 0)
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                       _("There is no case with id %" G_GINT64_FORMAT), c->id);
          return FALSE;
        }
      if (c->uuid != NULL && g_strcmp0 (c->uuid, (const char *) sqlite3_column_text (cur, 0)) != 0)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                               _("The case identifier cannot be changed"));
          return FALSE;
        }
      g_free (c->uuid);
      c->uuid = column_dup (cur, 0);
      g_free (c->code);
      c->code = column_dup (cur, 1);
      g_free (c->created);
      c->created = column_dup (cur, 2);
    }

  g_free (c->updated);
  c->updated = g_strdup (now);
  g_free (c->updated_by);
  c->updated_by = g_strdup (self->user);

  if (insert)
    stmt = prepare (self, CASE_INSERT_SQL, error);
  else if (c->has_identities)
    stmt = prepare (self, CASE_UPDATE_SQL CASE_UPDATE_IDENTITY_SQL " WHERE id = ?30", error);
  else
    stmt = prepare (self, CASE_UPDATE_SQL " WHERE id = ?30", error);
  if (stmt == NULL)
    return FALSE;

  bind_case_coded (stmt, c);
  if ((insert || c->has_identities) && !bind_case_identities (self, stmt, c, error))
    return FALSE;
  if (!insert)
    sqlite3_bind_int64 (stmt, 30, c->id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (insert)
    c->id = sqlite3_last_insert_rowid (self->db);

  victim_ids = g_new0 (gint64, MAX (c->victims->len, 1));
  if (!save_victims_locked (self, c, victim_ids, error) ||
      !save_violations_locked (self, c, victim_ids, error))
    return FALSE;

  if (audit && !audit_locked (self, insert ? "case_create" : "case_update", c->code, error))
    return FALSE;

  return TRUE;
}

/* What save_case_locked() assigns to a case, kept so that a rolled-back
 * save leaves the caller's case as it was (without copying its
 * identities: secure memory is scarce and slow to allocate). */
typedef struct {
  gint64      id;
  char       *uuid;
  char       *code;
  char       *created;
  char       *updated;
  char       *updated_by;
  gboolean    has_identities;
  GPtrArray  *victim_codes;
} Assigned;

static void
assigned_free (Assigned *a)
{
  g_free (a->uuid);
  g_free (a->code);
  g_free (a->created);
  g_free (a->updated);
  g_free (a->updated_by);
  g_clear_pointer (&a->victim_codes, g_ptr_array_unref);
  g_free (a);
}

static Assigned *
assigned_save (const CasedbCase *c)
{
  Assigned *a = g_new0 (Assigned, 1);

  a->id = c->id;
  a->uuid = g_strdup (c->uuid);
  a->code = g_strdup (c->code);
  a->created = g_strdup (c->created);
  a->updated = g_strdup (c->updated);
  a->updated_by = g_strdup (c->updated_by);
  a->has_identities = c->has_identities;
  a->victim_codes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < c->victims->len; i++)
    g_ptr_array_add (a->victim_codes,
                     g_strdup (((CasedbVictim *) g_ptr_array_index (c->victims, i))->code));
  return a;
}

static void
assigned_restore (const Assigned *a, CasedbCase *c)
{
  c->id = a->id;
  g_free (c->uuid);
  c->uuid = g_strdup (a->uuid);
  g_free (c->code);
  c->code = g_strdup (a->code);
  g_free (c->created);
  c->created = g_strdup (a->created);
  g_free (c->updated);
  c->updated = g_strdup (a->updated);
  g_free (c->updated_by);
  c->updated_by = g_strdup (a->updated_by);
  c->has_identities = a->has_identities;
  g_assert (a->victim_codes->len == c->victims->len);
  for (guint i = 0; i < c->victims->len; i++)
    {
      CasedbVictim *v = g_ptr_array_index (c->victims, i);

      g_free (v->code);
      v->code = g_strdup (g_ptr_array_index (a->victim_codes, i));
    }
}

gboolean
casedb_store_save_case (CasedbStore  *self,
                        CasedbCase   *c,
                        GError      **error)
{
  g_autoptr(GPtrArray) one = NULL;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (c != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_EDIT_CASES, error))
    return FALSE;

  one = g_ptr_array_new ();
  g_ptr_array_add (one, c);
  return save_cases_internal (self, one, FALSE, NULL, error);
}

/* Saves @cases in one transaction; with @import one "import" audit entry
 * (@detail, or "N cases"), else one entry per case. */
static gboolean
save_cases_internal (CasedbStore  *self,
                     GPtrArray    *cases,
                     gboolean      import,
                     const char   *import_detail,
                     GError      **error)
{
  g_autoptr(GPtrArray) saved = NULL;
  g_autofree char *now = NULL;
  g_autofree char *detail = NULL;
  gboolean ok = TRUE;

  saved = g_ptr_array_new_with_free_func ((GDestroyNotify) assigned_free);
  for (guint i = 0; i < cases->len; i++)
    g_ptr_array_add (saved, assigned_save (g_ptr_array_index (cases, i)));
  now = now_iso8601 ();

  if (!begin_write (self, error))
    return FALSE;

  for (guint i = 0; ok && i < cases->len; i++)
    {
      ok = save_case_locked (self, g_ptr_array_index (cases, i), now, !import, error);
      if (!ok && import)
        g_prefix_error (error, _("Case %u of %u: "), i + 1, cases->len);
    }

  if (ok && import)
    {
      detail = import_detail != NULL ? g_strdup (import_detail)
                                     : g_strdup_printf ("%u cases", cases->len);
      ok = audit_locked (self, "import", detail, error);
    }

  if (!finish (self, ok, error))
    {
      for (guint i = 0; i < cases->len; i++)
        assigned_restore (g_ptr_array_index (saved, i), g_ptr_array_index (cases, i));
      return FALSE;
    }

  return TRUE;
}

gboolean
casedb_store_save_cases (CasedbStore  *self,
                         GPtrArray    *cases,
                         const char   *audit_detail,
                         GError      **error)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (cases != NULL, FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_EDIT_CASES, error))
    return FALSE;

  return save_cases_internal (self, cases, TRUE, audit_detail, error);
}

gboolean
casedb_store_delete_case (CasedbStore  *self,
                          gint64        id,
                          GError      **error)
{
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) del = NULL;
  g_autofree char *code = NULL;
  gboolean ok;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_EDIT_CASES, error))
    return FALSE;

  if (!begin_write (self, error))
    return FALSE;

  sel = prepare (self, "SELECT code FROM cases WHERE id = ?1", error);
  ok = sel != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (sel, 1, id);
      r = step_row (self, sel, error);
      if (r == 0)
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                     _("There is no case with id %" G_GINT64_FORMAT), id);
      ok = r > 0;
      if (ok)
        code = column_dup (sel, 0);
    }
  g_clear_pointer (&sel, sqlite3_finalize);

  /* secure_delete overwrites the freed cells; victims and violations go by cascade. */
  if (ok)
    {
      del = prepare (self, "DELETE FROM cases WHERE id = ?1", error);
      ok = del != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (del, 1, id);
          ok = step_done (self, del, error);
        }
      g_clear_pointer (&del, sqlite3_finalize);
    }

  if (ok)
    ok = audit_locked (self, "case_delete", code, error);

  return finish (self, ok, error);
}

/* ---------------------------------------------------------------------- */
/* Identities                                                              */

/* Case-folded, normalised copy of @s; the caller wipes it. */
static char *
fold (const char *s)
{
  g_autofree char *norm = g_utf8_normalize (s, -1, G_NORMALIZE_ALL);
  char *folded;

  if (norm == NULL)
    return g_utf8_casefold (s, -1);
  folded = g_utf8_casefold (norm, -1);
  casedb_secure_wipe (norm, strlen (norm));
  return folded;
}

static void
wipe_free (char *s)
{
  if (s != NULL)
    {
      casedb_secure_wipe (s, strlen (s));
      g_free (s);
    }
}

GArray *
casedb_store_search_identities (CasedbStore  *self,
                                const char   *text,
                                GError      **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *detail = NULL;
  char *needle = NULL;
  gboolean ok = TRUE;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_IDENTITY, error))
    return NULL;

  if (*text == '\0')
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("Type a name to search for"));
      return NULL;
    }

  if (!begin_write (self, error))
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  needle = fold (text);

  stmt = prepare (self, "SELECT v.case_id, c.uuid, c.code, v.code, v.name, v.guardian"
                        " FROM victims v JOIN cases c ON c.id = v.case_id ORDER BY v.case_id", error);
  ok = stmt != NULL;
  while (ok && (r = step_row (self, stmt, error)) > 0)
    {
      gint64 case_id = sqlite3_column_int64 (stmt, 0);
      const char *vcode = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *record = victim_record ((const char *) sqlite3_column_text (stmt, 1), vcode);
      g_autofree char *where = g_strdup_printf ("%s %s", sqlite3_column_text (stmt, 2), vcode);
      gboolean match = FALSE;

      if (ids->len > 0 && g_array_index (ids, gint64, ids->len - 1) == case_id)
        continue;

      for (guint i = 0; ok && !match && i < 2; i++)
        {
          char *plain = NULL;

          ok = open_column (self->keys->identity_key, stmt, 4 + (int) i, record,
                            victim_identity_columns[i], where, &plain, error);
          if (ok && plain != NULL)
            {
              char *folded = fold (plain);

              match = strstr (folded, needle) != NULL;
              wipe_free (folded);
            }
          casedb_secure_free (plain);
        }

      if (match)
        g_array_append_val (ids, case_id);
    }
  if (ok && r < 0)
    ok = FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);
  wipe_free (needle);

  /* Never the search text: it is a name. */
  if (ok)
    {
      detail = g_strdup_printf ("%u cases matched", ids->len);
      ok = audit_locked (self, "identity_search", detail, error);
    }

  if (!finish (self, ok, error))
    return NULL;

  return g_steal_pointer (&ids);
}

GPtrArray *
casedb_store_get_victim_names (CasedbStore  *self,
                               gint64        id,
                               gboolean      audit,
                               GError      **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *code = NULL;
  gboolean ok;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_IDENTITY, error))
    return NULL;

  if (!begin_write (self, error))
    return NULL;

  names = g_ptr_array_new_with_free_func (casedb_secure_free);
  stmt = prepare (self, "SELECT c.uuid, c.code, v.code, v.name FROM cases c"
                        " LEFT JOIN victims v ON v.case_id = c.id WHERE c.id = ?1"
                        " ORDER BY v.position", error);
  ok = stmt != NULL;
  if (ok)
    sqlite3_bind_int64 (stmt, 1, id);
  while (ok && (r = step_row (self, stmt, error)) > 0)
    {
      const char *vcode = (const char *) sqlite3_column_text (stmt, 2);
      g_autofree char *record = NULL;
      g_autofree char *where = NULL;
      char *name = NULL;

      if (code == NULL)
        code = column_dup (stmt, 1);
      if (vcode == NULL)
        continue;
      record = victim_record ((const char *) sqlite3_column_text (stmt, 0), vcode);
      where = g_strdup_printf ("%s %s", code, vcode);
      ok = open_column (self->keys->identity_key, stmt, 3, record, "name", where, &name, error);
      if (ok && name != NULL)
        g_ptr_array_add (names, name);
    }
  if (ok && r < 0)
    ok = FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (ok && code == NULL)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                   _("There is no case with id %" G_GINT64_FORMAT), id);
      ok = FALSE;
    }

  if (ok && audit)
    ok = audit_locked (self, "identity_read", code, error);

  if (!finish (self, ok, error))
    return NULL;

  return g_steal_pointer (&names);
}

/* ---------------------------------------------------------------------- */
/* Code book                                                               */

char *
casedb_store_code_for_name (CasedbStore  *self,
                            char          kind,
                            const char   *real_name,
                            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autofree char *code = NULL;
  g_autofree char *seq_key = NULL;
  char kind_str[2] = { kind, '\0' };
  char *name = NULL;
  guint8 index[MAC_LEN];
  guint64 n;
  gboolean ok;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  g_return_val_if_fail (real_name != NULL, NULL);

  if (!casedb_store_require (self, CASEDB_PERM_EDIT_CASES, error))
    return NULL;

  if (!self->keys->has_identity_key)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED,
                           _("Your key slot does not hold the identity key"));
      return NULL;
    }

  if (kind != 'P' && kind != 'M')
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("Unknown code book kind"));
      return NULL;
    }

  name = casedb_secure_strdup (real_name);
  g_strstrip (name);
  if (*name == '\0' || !g_utf8_validate (name, -1, NULL))
    {
      casedb_secure_free (name);
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("The name is empty or not valid text"));
      return NULL;
    }

  codebook_index (self->keys->identity_key, kind, name, index);

  if (!begin_write (self, error))
    {
      casedb_secure_free (name);
      return NULL;
    }

  stmt = prepare (self, "SELECT code FROM codebook WHERE name_index = ?1", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_blob (stmt, 1, index, MAC_LEN, SQLITE_TRANSIENT);
      r = step_row (self, stmt, error);
      ok = r >= 0;
      if (r > 0)
        code = column_dup (stmt, 0);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (ok && code == NULL)
    {
      seq_key = g_strdup_printf ("seq_codebook_%c", kind);
      ok = meta_next_seq (self, seq_key, &n, error);
      if (ok)
        {
          code = g_strdup_printf ("%c-%04" G_GUINT64_FORMAT, kind, n);
          ok = seal_value (self->keys->identity_key, code, "name", name, &sealed, error);
        }
      if (ok)
        {
          stmt = prepare (self, "INSERT INTO codebook (code, kind, name_sealed, name_index)"
                                " VALUES (?1, ?2, ?3, ?4)", error);
          ok = stmt != NULL;
        }
      if (ok)
        {
          bind_text (stmt, 1, code);
          bind_text (stmt, 2, kind_str);
          bind_bytes (stmt, 3, sealed);
          sqlite3_bind_blob (stmt, 4, index, MAC_LEN, SQLITE_TRANSIENT);
          ok = step_done (self, stmt, error);
        }
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  casedb_secure_free (name);
  casedb_secure_wipe (index, sizeof index);

  if (!finish (self, ok, error))
    return NULL;

  return g_steal_pointer (&code);
}

char *
casedb_store_name_for_code (CasedbStore  *self,
                            const char   *code,
                            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *name = NULL;
  gboolean ok;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);
  g_return_val_if_fail (code != NULL, NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_IDENTITY, error))
    return NULL;

  if (!begin_write (self, error))
    return NULL;

  stmt = prepare (self, "SELECT name_sealed FROM codebook WHERE code = ?1", error);
  ok = stmt != NULL;
  if (ok)
    {
      bind_text (stmt, 1, code);
      r = step_row (self, stmt, error);
      if (r == 0)
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND,
                     _("The code %s is not in the code book"), code);
      ok = r > 0 && open_column (self->keys->identity_key, stmt, 0, code, "name", code, &name, error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (ok)
    ok = audit_locked (self, "identity_read", code, error);

  if (!finish (self, ok, error))
    {
      casedb_secure_free (name);
      return NULL;
    }

  return name;
}

/* ---------------------------------------------------------------------- */
/* Audit log                                                               */

gboolean
casedb_store_audit (CasedbStore  *self,
                    const char   *action,
                    const char   *detail,
                    GError      **error)
{
  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  /* Any role records its own actions. */
  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return FALSE;

  if (*action == '\0')
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("An audit entry needs an action"));
      return FALSE;
    }

  if (!begin_write (self, error))
    return FALSE;
  return finish (self, audit_locked (self, action, detail, error), error);
}

GPtrArray *
casedb_store_list_audit (CasedbStore  *self,
                         GError      **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int r;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_AUDIT, error))
    return NULL;

  stmt = prepare (self, "SELECT id, time, user, action, detail FROM audit ORDER BY id", error);
  if (stmt == NULL)
    return NULL;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_audit_entry_free);
  while ((r = step_row (self, stmt, error)) > 0)
    {
      CasedbAuditEntry *e = g_new0 (CasedbAuditEntry, 1);

      e->id = sqlite3_column_int64 (stmt, 0);
      e->time = column_dup (stmt, 1);
      e->user = column_dup (stmt, 2);
      e->action = column_dup (stmt, 3);
      e->detail = column_dup (stmt, 4);
      g_ptr_array_add (entries, e);
    }
  if (r < 0)
    return NULL;

  return g_steal_pointer (&entries);
}

static gboolean
verify_audit_locked (CasedbStore *self, guint *n_entries, GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 prev[MAC_LEN] = { 0 };
  guint8 head_mac[MAC_LEN];
  gint64 head_count;
  gint64 expected = 1;
  int r;

  if (!audit_head (self, &head_count, head_mac, error))
    return FALSE;

  stmt = prepare (self, "SELECT id, time, user, action, detail, mac FROM audit ORDER BY id", error);
  if (stmt == NULL)
    return FALSE;

  while ((r = step_row (self, stmt, error)) > 0)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      const guint8 *mac = sqlite3_column_blob (stmt, 5);
      guint8 want[MAC_LEN];

      if (id != expected)
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                       _("The audit log was altered: entry %" G_GINT64_FORMAT " is missing"),
                       expected);
          return FALSE;
        }

      audit_mac (self->keys->audit_key, prev, id,
                 (const char *) sqlite3_column_text (stmt, 1),
                 (const char *) sqlite3_column_text (stmt, 2),
                 (const char *) sqlite3_column_text (stmt, 3),
                 (const char *) sqlite3_column_text (stmt, 4),
                 want);
      if (mac == NULL || sqlite3_column_bytes (stmt, 5) != MAC_LEN || !casedb_memeq (mac, want, MAC_LEN))
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                       _("The audit log was altered: entry %" G_GINT64_FORMAT
                         " was changed, or inserted"), id);
          return FALSE;
        }

      memcpy (prev, want, MAC_LEN);
      expected++;
    }
  if (r < 0)
    return FALSE;

  if (expected - 1 != head_count || !casedb_memeq (prev, head_mac, MAC_LEN))
    {
      if (expected - 1 < head_count)
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                     _("The audit log was altered: entries %" G_GINT64_FORMAT " to %"
                       G_GINT64_FORMAT " were deleted"), expected, head_count);
      else
        g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                     _("The audit log was altered: entry %" G_GINT64_FORMAT
                       " does not match the recorded end of the log"), expected - 1);
      return FALSE;
    }

  if (n_entries != NULL)
    *n_entries = (guint) (expected - 1);
  return TRUE;
}

gboolean
casedb_store_verify_audit (CasedbStore  *self,
                           guint        *n_entries,
                           GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (CASEDB_IS_STORE (self), FALSE);

  if (!casedb_store_require (self, CASEDB_PERM_READ_AUDIT, error))
    return FALSE;

  if (!begin_read (self, error))
    return FALSE;
  ok = verify_audit_locked (self, n_entries, error);
  rollback (self);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */

static const char *
period_sql (CasedbPeriod period)
{
  switch (period)
    {
    case CASEDB_PERIOD_MONTH:
      return "coalesce(substr(c.incident_date, 1, 7), '')";
    case CASEDB_PERIOD_QUARTER:
      return "coalesce(substr(c.incident_date, 1, 4) || '-Q' ||"
             " ((CAST(substr(c.incident_date, 6, 2) AS INTEGER) + 2) / 3), '')";
    case CASEDB_PERIOD_YEAR:
      return "coalesce(substr(c.incident_date, 1, 4), '')";
    default:
      return NULL;
    }
}

static int
aggregate_row_compare (gconstpointer a, gconstpointer b)
{
  const CasedbAggregateRow *ra = *(const CasedbAggregateRow * const *) a;
  const CasedbAggregateRow *rb = *(const CasedbAggregateRow * const *) b;
  int cmp;

  if ((cmp = strcmp (casedb_violation_to_key (ra->kind), casedb_violation_to_key (rb->kind))) != 0)
    return cmp;
  if ((cmp = strcmp (ra->period, rb->period)) != 0)
    return cmp;
  if ((cmp = strcmp (ra->region, rb->region)) != 0)
    return cmp;
  return strcmp (casedb_verification_to_key (ra->verification),
                 casedb_verification_to_key (rb->verification));
}

/**
 * casedb_store_aggregate:
 *
 * Cases without an incident date (drafts) have the period "", cases
 * without a region the region "".
 */
GPtrArray *
casedb_store_aggregate (CasedbStore        *self,
                        const CasedbQuery  *query,
                        CasedbPeriod        period,
                        gboolean            statistics_consent_only,
                        guint              *n_excluded,
                        GError            **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) args = NULL;
  g_autoptr(GString) where = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *period_expr;
  gboolean ok;
  int r = 0;

  g_return_val_if_fail (CASEDB_IS_STORE (self), NULL);

  if (!casedb_store_require (self, CASEDB_PERM_READ_CODED, error))
    return NULL;

  if ((period_expr = period_sql (period)) == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, _("Unknown period"));
      return NULL;
    }

  where = g_string_new (" WHERE 1");
  args = g_ptr_array_new_with_free_func (g_free);
  if (!build_where (query, "c.", TRUE, where, args, error))
    return NULL;

  /* One read transaction: the exclusion count and the rows agree. */
  if (!begin_read (self, error))
    return NULL;

  ok = TRUE;
  if (n_excluded != NULL)
    {
      g_autofree char *count_sql = g_strconcat ("SELECT count(*) FROM cases c", where->str,
                                                " AND (c.consent_uses & 1) = 0", NULL);

      *n_excluded = 0;
      if (statistics_consent_only)
        {
          stmt = prepare_query (self, count_sql, args, error);
          ok = stmt != NULL && step_row (self, stmt, error) > 0;
          if (ok)
            *n_excluded = (guint) sqlite3_column_int64 (stmt, 0);
          g_clear_pointer (&stmt, sqlite3_finalize);
        }
    }

  sql = g_string_new (NULL);
  g_string_append_printf (sql,
                          "SELECT vi.kind, %s AS period, coalesce(c.region, '') AS reg, c.verification,"
                          " count(DISTINCT c.id),"
                          " count(DISTINCT CASE WHEN ve.sex = 'female' THEN ve.id END),"
                          " count(DISTINCT CASE WHEN ve.sex = 'male' THEN ve.id END),"
                          " count(DISTINCT CASE WHEN ve.sex NOT IN ('female', 'male') THEN ve.id END)"
                          " FROM cases c"
                          " JOIN violations vi ON vi.case_id = c.id"
                          " LEFT JOIN violation_victims vv ON vv.violation_id = vi.id"
                          " LEFT JOIN victims ve ON ve.id = vv.victim_id",
                          period_expr);
  g_string_append (sql, where->str);
  G_STATIC_ASSERT (CASEDB_USE_STATISTICS == 1);
  if (statistics_consent_only)
    g_string_append (sql, " AND (c.consent_uses & 1) != 0");
  if (query != NULL && query->violation >= 0)
    {
      g_string_append (sql, " AND vi.kind = ?");
      g_ptr_array_add (args, g_strdup (casedb_violation_to_key (query->violation)));
    }
  g_string_append (sql, " GROUP BY vi.kind, period, reg, c.verification");

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_aggregate_row_free);
  if (ok)
    {
      stmt = prepare_query (self, sql->str, args, error);
      ok = stmt != NULL;
    }
  while (ok && (r = step_row (self, stmt, error)) > 0)
    {
      CasedbAggregateRow *row = g_new0 (CasedbAggregateRow, 1);

      g_ptr_array_add (rows, row);
      if (!casedb_violation_from_key ((const char *) sqlite3_column_text (stmt, 0), &row->kind) ||
          !casedb_verification_from_key ((const char *) sqlite3_column_text (stmt, 3), &row->verification))
        {
          g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                       _("The database “%s” is damaged: unknown violation or verification"),
                       self->path);
          ok = FALSE;
          break;
        }
      row->period = column_dup (stmt, 1);
      row->region = column_dup (stmt, 2);
      row->incidents = (guint) sqlite3_column_int64 (stmt, 4);
      row->victims_female = (guint) sqlite3_column_int64 (stmt, 5);
      row->victims_male = (guint) sqlite3_column_int64 (stmt, 6);
      row->victims_unknown = (guint) sqlite3_column_int64 (stmt, 7);
    }
  if (ok && r < 0)
    ok = FALSE;
  g_clear_pointer (&stmt, sqlite3_finalize);
  rollback (self);

  if (!ok)
    return NULL;

  g_ptr_array_sort (rows, aggregate_row_compare);
  return g_steal_pointer (&rows);
}
