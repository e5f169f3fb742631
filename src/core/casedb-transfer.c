/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-transfer"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "casedb-error.h"
#include "casedb-export.h"
#include "casedb-json-writer.h"
#include "casedb-secure.h"
#include "casedb-transfer.h"

#define TRANSFER_FORMAT         "casedb-transfer"
#define TRANSFER_FORMAT_VERSION 1
#define TRANSFER_ENTRY          "transfer.json"
/* A case saved while the last package was being made may carry a time just
 * before its start: such cases are sent again (the receiver sees they are
 * the same) rather than risk missing one. */
#define CHANGE_MARGIN           (5 * G_TIME_SPAN_MINUTE)

struct _CasedbTransferBundle
{
  char       *sender;
  char       *created;
  char       *since;
  GPtrArray  *cases;      /* (element-type CasedbCase) with the sender's codes */
  GHashTable *codebook;   /* sender's code → name (secure memory) */
};

const char *
casedb_merge_action_to_string (CasedbMergeAction action)
{
  switch (action)
    {
    case CASEDB_MERGE_NEW:
      return "new";
    case CASEDB_MERGE_UPDATE:
      return "update";
    case CASEDB_MERGE_SAME:
      return "unchanged";
    case CASEDB_MERGE_CONFLICT:
      return "conflict";
    default:
      return "?";
    }
}

void
casedb_transfer_item_free (CasedbTransferItem *item)
{
  if (item == NULL)
    return;
  g_free (item->uuid);
  g_free (item->sender_code);
  g_free (item->code);
  g_free (item);
}

void
casedb_transfer_bundle_free (CasedbTransferBundle *bundle)
{
  if (bundle == NULL)
    return;
  g_free (bundle->sender);
  g_free (bundle->created);
  g_free (bundle->since);
  g_clear_pointer (&bundle->cases, g_ptr_array_unref);
  g_clear_pointer (&bundle->codebook, g_hash_table_unref);
  g_free (bundle);
}

const char *
casedb_transfer_bundle_get_sender (CasedbTransferBundle *bundle)
{
  g_return_val_if_fail (bundle != NULL, NULL);
  return bundle->sender;
}

const char *
casedb_transfer_bundle_get_created (CasedbTransferBundle *bundle)
{
  g_return_val_if_fail (bundle != NULL, NULL);
  return bundle->created;
}

guint
casedb_transfer_bundle_get_n_cases (CasedbTransferBundle *bundle)
{
  g_return_val_if_fail (bundle != NULL, 0);
  return bundle->cases->len;
}

/* ---------------------------------------------------------------------- */
/* A full case as JSON (docs/formats.md)                                   */

static void
write_case (CasedbJsonWriter *w, const CasedbCase *c)
{
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_string (w, "uuid", c->uuid);
  casedb_json_writer_member_string (w, "code", c->code);
  casedb_json_writer_member_string (w, "reference", c->reference);
  casedb_json_writer_member_string (w, "incident_date", c->incident_date);
  casedb_json_writer_member_string (w, "report_date", c->report_date);
  casedb_json_writer_member_string (w, "region", c->region);
  casedb_json_writer_member_string (w, "location_detail", c->location_detail);
  casedb_json_writer_member_string (w, "source_code", c->source_code);
  casedb_json_writer_member_string (w, "verification", casedb_verification_to_key (c->verification));
  casedb_json_writer_member_string (w, "summary", c->summary);
  casedb_json_writer_member_string (w, "narrative", c->narrative);
  casedb_json_writer_member_string (w, "followup_notes", c->followup_notes);
  casedb_json_writer_member_string (w, "referral_notes", c->referral_notes);
  casedb_json_writer_member_bool (w, "needs_followup", c->needs_followup);
  casedb_json_writer_member_bool (w, "draft", c->draft);

  casedb_json_writer_member (w, "consent");
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_string (w, "given_by", casedb_consent_by_to_key (c->consent.given_by));
  casedb_json_writer_member_string (w, "date", c->consent.date);
  casedb_json_writer_member_bool (w, "informed", c->consent.informed);
  casedb_json_writer_member (w, "uses");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < CASEDB_N_USES; i++)
    if (c->consent.uses & (1u << i))
      casedb_json_writer_string (w, casedb_use_to_key (1u << i));
  casedb_json_writer_end_array (w);
  casedb_json_writer_member_string (w, "withhold_from", c->consent.withhold_from);
  casedb_json_writer_member_string (w, "withhold_reason", c->consent.withhold_reason);
  casedb_json_writer_member_string (w, "legal_basis", c->consent.legal_basis);
  casedb_json_writer_member_string (w, "retention_review", c->consent.retention_review);
  casedb_json_writer_end_object (w);

  casedb_json_writer_member (w, "victims");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < c->victims->len; i++)
    {
      const CasedbVictim *v = g_ptr_array_index (c->victims, i);

      casedb_json_writer_begin_object (w);
      casedb_json_writer_member_string (w, "code", v->code);
      casedb_json_writer_member_string (w, "sex", casedb_sex_to_key (v->sex));
      casedb_json_writer_member (w, "age");
      if (v->age >= 0)
        casedb_json_writer_int (w, v->age);
      else
        casedb_json_writer_null (w);
      casedb_json_writer_member_string (w, "name", v->name);
      casedb_json_writer_member_string (w, "guardian", v->guardian);
      casedb_json_writer_member_string (w, "contact", v->contact);
      casedb_json_writer_end_object (w);
    }
  casedb_json_writer_end_array (w);

  casedb_json_writer_member (w, "violations");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < c->violations->len; i++)
    {
      const CasedbViolation *v = g_ptr_array_index (c->violations, i);

      casedb_json_writer_begin_object (w);
      casedb_json_writer_member_string (w, "kind", casedb_violation_to_key (v->kind));
      casedb_json_writer_member_string (w, "subtype", v->subtype);
      casedb_json_writer_member_string (w, "perpetrator_code", v->perpetrator_code);
      casedb_json_writer_member (w, "victims");
      casedb_json_writer_begin_array (w);
      for (guint j = 0; v->victims != NULL && j < v->victims->len; j++)
        {
          guint idx = g_array_index (v->victims, guint, j);

          if (idx < c->victims->len)
            casedb_json_writer_string (w, ((CasedbVictim *) g_ptr_array_index (c->victims, idx))->code);
        }
      casedb_json_writer_end_array (w);
      casedb_json_writer_end_object (w);
    }
  casedb_json_writer_end_array (w);

  casedb_json_writer_member_string (w, "created", c->created);
  casedb_json_writer_member_string (w, "updated", c->updated);
  casedb_json_writer_member_string (w, "updated_by", c->updated_by);
  casedb_json_writer_end_object (w);
}

/* json-glib keeps its own copy of every string: identities are wiped where
 * they lie once read (its parser's freed scratch copies are out of reach). */
static void
wipe_json (JsonNode *node)
{
  if (node == NULL)
    return;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, NULL, &member))
          wipe_json (member);
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          wipe_json (json_array_get_element (array, i));
      }
      break;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          char *s = (char *) json_node_get_string (node);

          if (s != NULL)
            casedb_secure_wipe (s, strlen (s));
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

typedef struct {
  const char *where;   /* "case 3" */
  GError    **error;
} ReadContext;

G_GNUC_PRINTF (2, 3)
static gboolean
bad (ReadContext *ctx, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ctx->error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
               _("The transfer package is not valid: %s: %s"), ctx->where, what);
  return FALSE;
}

/* A string member, or NULL when absent or null.  @secure: an identity. */
static gboolean
read_string (ReadContext *ctx, JsonObject *o, const char *name, gboolean secure, char **out)
{
  JsonNode *n = json_object_get_member (o, name);
  const char *s;

  *out = NULL;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return bad (ctx, _("“%s” is not text"), name);
  s = json_node_get_string (n);
  if (!g_utf8_validate (s, -1, NULL))
    return bad (ctx, _("“%s” is not valid UTF-8"), name);
  *out = secure ? casedb_secure_strdup (s) : g_strdup (s);
  return TRUE;
}

static gboolean
read_bool (ReadContext *ctx, JsonObject *o, const char *name, gboolean *out)
{
  JsonNode *n = json_object_get_member (o, name);

  *out = FALSE;
  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_BOOLEAN)
    return bad (ctx, _("“%s” is not true or false"), name);
  *out = json_node_get_boolean (n);
  return TRUE;
}

static JsonArray *
read_array (ReadContext *ctx, JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    {
      bad (ctx, _("“%s” is not a list"), name);
      return NULL;
    }
  return json_node_get_array (n);
}

static JsonObject *
element_object (ReadContext *ctx, JsonArray *a, guint i, const char *name)
{
  JsonNode *n = json_array_get_element (a, i);

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    {
      bad (ctx, _("“%s” holds something other than objects"), name);
      return NULL;
    }
  return json_node_get_object (n);
}

static gboolean
read_victims (ReadContext *ctx, JsonObject *o, CasedbCase *c, GHashTable *by_code)
{
  JsonArray *a = read_array (ctx, o, "victims");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *vo = element_object (ctx, a, i, "victims");
      CasedbVictim *v;
      g_autofree char *sex = NULL;
      JsonNode *age;

      if (vo == NULL)
        return FALSE;
      v = casedb_case_add_victim (c);
      if (!read_string (ctx, vo, "code", FALSE, &v->code) ||
          !read_string (ctx, vo, "sex", FALSE, &sex) ||
          !read_string (ctx, vo, "name", TRUE, &v->name) ||
          !read_string (ctx, vo, "guardian", TRUE, &v->guardian) ||
          !read_string (ctx, vo, "contact", TRUE, &v->contact))
        return FALSE;
      if (v->code == NULL || g_hash_table_contains (by_code, v->code))
        return bad (ctx, _("victim %u has no code of its own"), i + 1);
      g_hash_table_insert (by_code, g_strdup (v->code), GUINT_TO_POINTER (i + 1));
      if (!casedb_sex_from_key (sex, &v->sex))
        return bad (ctx, _("victim %u: unknown sex “%s”"), i + 1, sex != NULL ? sex : "");
      age = json_object_get_member (vo, "age");
      if (age == NULL || JSON_NODE_HOLDS_NULL (age))
        v->age = -1;
      else if (JSON_NODE_HOLDS_VALUE (age) && json_node_get_value_type (age) == G_TYPE_INT64 &&
               json_node_get_int (age) >= 0 && json_node_get_int (age) <= 17)
        v->age = (int) json_node_get_int (age);
      else
        return bad (ctx, _("victim %u: the age is not 0–17 or null"), i + 1);
    }
  return TRUE;
}

static gboolean
read_violations (ReadContext *ctx, JsonObject *o, CasedbCase *c, GHashTable *by_code)
{
  JsonArray *a = read_array (ctx, o, "violations");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *vo = element_object (ctx, a, i, "violations");
      g_autofree char *kind_key = NULL;
      CasedbViolationKind kind;
      CasedbViolation *v;
      JsonArray *victims;

      if (vo == NULL || !read_string (ctx, vo, "kind", FALSE, &kind_key))
        return FALSE;
      if (!casedb_violation_from_key (kind_key, &kind))
        return bad (ctx, _("violation %u: unknown kind “%s”"), i + 1, kind_key != NULL ? kind_key : "");
      v = casedb_case_add_violation (c, kind);
      if (!read_string (ctx, vo, "subtype", FALSE, &v->subtype) ||
          !read_string (ctx, vo, "perpetrator_code", FALSE, &v->perpetrator_code) ||
          (victims = read_array (ctx, vo, "victims")) == NULL)
        return FALSE;
      for (guint j = 0; j < json_array_get_length (victims); j++)
        {
          JsonNode *n = json_array_get_element (victims, j);
          guint idx = 0;

          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            idx = GPOINTER_TO_UINT (g_hash_table_lookup (by_code, json_node_get_string (n)));
          if (idx == 0)
            return bad (ctx, _("violation %u names a victim that is not in the case"), i + 1);
          idx--;
          g_array_append_val (v->victims, idx);
        }
    }
  return TRUE;
}

static gboolean
read_consent (ReadContext *ctx, JsonObject *o, CasedbCase *c)
{
  JsonNode *n = json_object_get_member (o, "consent");
  g_autofree char *by = NULL;
  JsonObject *co;
  JsonArray *uses;

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return bad (ctx, _("“%s” is missing"), "consent");
  co = json_node_get_object (n);
  if (!read_string (ctx, co, "given_by", FALSE, &by) ||
      !read_string (ctx, co, "date", FALSE, &c->consent.date) ||
      !read_bool (ctx, co, "informed", &c->consent.informed) ||
      !read_string (ctx, co, "withhold_from", TRUE, &c->consent.withhold_from) ||
      !read_string (ctx, co, "withhold_reason", TRUE, &c->consent.withhold_reason) ||
      !read_string (ctx, co, "legal_basis", FALSE, &c->consent.legal_basis) ||
      !read_string (ctx, co, "retention_review", FALSE, &c->consent.retention_review) ||
      (uses = read_array (ctx, co, "uses")) == NULL)
    return FALSE;
  if (!casedb_consent_by_from_key (by, &c->consent.given_by))
    return bad (ctx, _("consent: unknown “given_by” “%s”"), by != NULL ? by : "");

  c->consent.uses = 0;
  for (guint i = 0; i < json_array_get_length (uses); i++)
    {
      JsonNode *u = json_array_get_element (uses, i);
      const char *key = NULL;
      gboolean known = FALSE;

      if (JSON_NODE_HOLDS_VALUE (u) && json_node_get_value_type (u) == G_TYPE_STRING)
        key = json_node_get_string (u);
      for (guint k = 0; key != NULL && k < CASEDB_N_USES; k++)
        {
          if (g_strcmp0 (key, casedb_use_to_key (1u << k)) == 0)
            {
              c->consent.uses |= 1u << k;
              known = TRUE;
            }
        }
      /* An unknown use grants nothing: refuse rather than drop it. */
      if (!known)
        return bad (ctx, _("consent: unknown use “%s”"), key != NULL ? key : "");
    }
  return TRUE;
}

static gboolean
time_valid (const char *s)
{
  g_autoptr(GDateTime) t = s != NULL ? g_date_time_new_from_iso8601 (s, NULL) : NULL;

  return t != NULL;
}

static CasedbCase *
read_case (JsonNode *node, const char *where, GError **error)
{
  g_autoptr(CasedbCase) c = casedb_case_new ();
  g_autoptr(GHashTable) by_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *verification = NULL;
  ReadContext ctx = { where, error };
  JsonObject *o;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      bad (&ctx, _("not an object"));
      return NULL;
    }
  o = json_node_get_object (node);

  if (!read_string (&ctx, o, "uuid", FALSE, &c->uuid) ||
      !read_string (&ctx, o, "code", FALSE, &c->code) ||
      !read_string (&ctx, o, "reference", FALSE, &c->reference) ||
      !read_string (&ctx, o, "incident_date", FALSE, &c->incident_date) ||
      !read_string (&ctx, o, "report_date", FALSE, &c->report_date) ||
      !read_string (&ctx, o, "region", FALSE, &c->region) ||
      !read_string (&ctx, o, "location_detail", TRUE, &c->location_detail) ||
      !read_string (&ctx, o, "source_code", FALSE, &c->source_code) ||
      !read_string (&ctx, o, "verification", FALSE, &verification) ||
      !read_string (&ctx, o, "summary", FALSE, &c->summary) ||
      !read_string (&ctx, o, "narrative", TRUE, &c->narrative) ||
      !read_string (&ctx, o, "followup_notes", TRUE, &c->followup_notes) ||
      !read_string (&ctx, o, "referral_notes", TRUE, &c->referral_notes) ||
      !read_bool (&ctx, o, "needs_followup", &c->needs_followup) ||
      !read_bool (&ctx, o, "draft", &c->draft) ||
      !read_consent (&ctx, o, c) ||
      !read_victims (&ctx, o, c, by_code) ||
      !read_violations (&ctx, o, c, by_code) ||
      !read_string (&ctx, o, "created", FALSE, &c->created) ||
      !read_string (&ctx, o, "updated", FALSE, &c->updated) ||
      !read_string (&ctx, o, "updated_by", FALSE, &c->updated_by))
    return NULL;

  if (c->uuid == NULL || !g_uuid_string_is_valid (c->uuid))
    {
      bad (&ctx, _("no valid “uuid”"));
      return NULL;
    }
  if (!time_valid (c->updated))
    {
      bad (&ctx, _("no valid “updated” time"));
      return NULL;
    }
  if (!casedb_verification_from_key (verification, &c->verification))
    {
      bad (&ctx, _("unknown verification “%s”"), verification != NULL ? verification : "");
      return NULL;
    }

  c->has_identities = TRUE;
  return g_steal_pointer (&c);
}

/* ---------------------------------------------------------------------- */
/* Writing a package                                                       */

static void
add_code (GPtrArray *codes, GHashTable *seen, const char *code)
{
  if (code == NULL || g_hash_table_contains (seen, code))
    return;
  g_hash_table_add (seen, (gpointer) code);
  g_ptr_array_add (codes, (gpointer) code);
}

gboolean
casedb_transfer_export (CasedbStore            *store,
                        const char             *path,
                        const char             *passphrase,
                        gboolean                all,
                        const CasedbKdfParams  *params,
                        guint                  *n_cases,
                        GError                **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *started = g_date_time_format_iso8601 (now);
  g_autofree char *last = NULL;
  g_autofree char *since = NULL;
  g_autofree char *base = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GPtrArray) codes = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(CasedbJsonWriter) w = NULL;
  g_autoptr(CasedbPackageWriter) pw = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);

  if (!casedb_store_require (store, CASEDB_PERM_EXPORT, error) ||
      !casedb_store_require (store, CASEDB_PERM_READ_IDENTITY, error) ||
      !casedb_export_check_passphrase (passphrase, error))
    return FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS,
                   _("“%s” already exists; choose another name"), path);
      return FALSE;
    }

  if (!all)
    {
      g_autoptr(GDateTime) last_time = NULL;
      g_autoptr(GDateTime) from = NULL;

      if (!casedb_store_get_last_transfer_export (store, &last, error))
        return FALSE;
      if (last != NULL && (last_time = g_date_time_new_from_iso8601 (last, NULL)) != NULL)
        {
          from = g_date_time_add (last_time, -CHANGE_MARGIN);
          since = g_date_time_format_iso8601 (from);
        }
    }

  if ((ids = casedb_store_list_case_ids (store, since, error)) == NULL ||
      (cases = casedb_store_load_cases (store, ids, TRUE, "transfer package", error)) == NULL)
    return FALSE;

  /* The names behind the codes: code books differ from office to office. */
  codes = g_ptr_array_new ();
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < cases->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (cases, i);

      add_code (codes, seen, c->source_code);
      for (guint j = 0; j < c->violations->len; j++)
        add_code (codes, seen, ((CasedbViolation *) g_ptr_array_index (c->violations, j))->perpetrator_code);
    }
  g_ptr_array_add (codes, NULL);
  names = casedb_store_lookup_codebook (store, (const char * const *) codes->pdata,
                                        "transfer package", error);
  if (names == NULL)
    return FALSE;

  w = casedb_json_writer_new ();
  casedb_json_writer_begin_object (w);
  casedb_json_writer_member_string (w, "format", TRANSFER_FORMAT);
  casedb_json_writer_member_int (w, "version", TRANSFER_FORMAT_VERSION);
  casedb_json_writer_member_string (w, "database_id", casedb_store_get_database_id (store));
  casedb_json_writer_member_string (w, "created", started);
  casedb_json_writer_member_string (w, "since", since);
  casedb_json_writer_member (w, "cases");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; i < cases->len; i++)
    write_case (w, g_ptr_array_index (cases, i));
  casedb_json_writer_end_array (w);
  casedb_json_writer_member (w, "codebook");
  casedb_json_writer_begin_array (w);
  for (guint i = 0; codes->pdata[i] != NULL; i++)
    {
      const char *name = g_hash_table_lookup (names, codes->pdata[i]);

      if (name == NULL)
        continue;
      casedb_json_writer_begin_object (w);
      casedb_json_writer_member_string (w, "code", codes->pdata[i]);
      casedb_json_writer_member_string (w, "name", name);
      casedb_json_writer_end_object (w);
    }
  casedb_json_writer_end_array (w);
  casedb_json_writer_end_object (w);
  g_clear_pointer (&names, g_hash_table_unref);

  data = casedb_json_writer_get_data (w, &len);
  pw = casedb_package_writer_new (path, CASEDB_PACKAGE_TRANSFER, passphrase, params, error);
  if (pw == NULL ||
      !casedb_package_writer_add (pw, TRANSFER_ENTRY, data, len, error) ||
      !casedb_package_writer_finish (pw, error))
    return FALSE;
  g_clear_pointer (&w, casedb_json_writer_free);

  base = g_path_get_basename (path);
  detail = g_strdup_printf ("%u cases (%s) to %s", cases->len,
                            since != NULL ? "changed since the last package" : "all", base);
  if (!casedb_store_note_transfer_export (store, started, detail, error))
    {
      g_unlink (path);
      return FALSE;
    }

  if (n_cases != NULL)
    *n_cases = cases->len;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Reading a package                                                       */

/* @message: the whole error message; the parser's own may quote the text. */
static JsonParser *
parse_json (const guint8 *data, gsize len, const char *message, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) len, &local_error))
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT, message);
      return NULL;
    }
  return g_steal_pointer (&parser);
}

CasedbTransferBundle *
casedb_transfer_bundle_open (const char  *path,
                             const char  *passphrase,
                             GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(CasedbTransferBundle) bundle = NULL;
  g_autoptr(GHashTable) uuids = NULL;
  const CasedbPackageEntry *entry;
  ReadContext ctx = { NULL, error };
  JsonNode *root;
  JsonObject *o;
  JsonArray *cases = NULL, *codebook = NULL;
  JsonNode *version;
  gboolean ok = TRUE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  entries = casedb_package_read (path, CASEDB_PACKAGE_TRANSFER, passphrase, error);
  if (entries == NULL)
    return NULL;
  entry = casedb_package_find (entries, TRANSFER_ENTRY);
  if (entry == NULL)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                           _("The transfer package is damaged: its cases are missing"));
      return NULL;
    }
  parser = parse_json (entry->data, entry->len, _("The transfer package is not valid JSON"), error);
  if (parser == NULL)
    return NULL;

  root = json_parser_get_root (parser);
  bundle = g_new0 (CasedbTransferBundle, 1);
  bundle->cases = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  bundle->codebook = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, casedb_secure_free);
  uuids = g_hash_table_new (g_str_hash, g_str_equal);

  ctx.where = _("the package");
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    ok = bad (&ctx, _("not an object"));
  if (ok)
    {
      o = json_node_get_object (root);
      version = json_object_get_member (o, "version");
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "format", ""), TRANSFER_FORMAT) != 0)
        ok = bad (&ctx, _("not a transfer package"));
      else if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
               json_node_get_value_type (version) != G_TYPE_INT64 ||
               json_node_get_int (version) != TRANSFER_FORMAT_VERSION)
        {
          g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                               _("This package was written by another version of CaseDB"));
          ok = FALSE;
        }
      ok = ok &&
           read_string (&ctx, o, "database_id", FALSE, &bundle->sender) &&
           read_string (&ctx, o, "created", FALSE, &bundle->created) &&
           read_string (&ctx, o, "since", FALSE, &bundle->since);
      if (ok && (bundle->sender == NULL || !g_uuid_string_is_valid (bundle->sender)))
        ok = bad (&ctx, _("no valid “database_id”"));
      if (ok)
        ok = (cases = read_array (&ctx, o, "cases")) != NULL &&
             (codebook = read_array (&ctx, o, "codebook")) != NULL;
    }

  for (guint i = 0; ok && i < json_array_get_length (cases); i++)
    {
      g_autofree char *where = g_strdup_printf (_("case %u"), i + 1);
      CasedbCase *c = read_case (json_array_get_element (cases, i), where, error);

      ok = c != NULL;
      if (ok)
        {
          g_ptr_array_add (bundle->cases, c);
          if (g_hash_table_contains (uuids, c->uuid))
            {
              ctx.where = where;
              ok = bad (&ctx, _("the case is in the package twice"));
            }
          g_hash_table_add (uuids, c->uuid);
        }
    }
  for (guint i = 0; ok && i < json_array_get_length (codebook); i++)
    {
      JsonObject *eo = element_object (&ctx, codebook, i, "codebook");
      g_autofree char *code = NULL;
      char *name = NULL;

      ok = eo != NULL &&
           read_string (&ctx, eo, "code", FALSE, &code) &&
           read_string (&ctx, eo, "name", TRUE, &name);
      if (ok && (code == NULL || name == NULL))
        {
          casedb_secure_free (name);
          ok = bad (&ctx, _("a code-book entry lacks its code or name"));
        }
      else if (ok)
        g_hash_table_replace (bundle->codebook, g_steal_pointer (&code), name);
    }

  wipe_json (root);
  if (!ok)
    return NULL;
  return g_steal_pointer (&bundle);
}

/* ---------------------------------------------------------------------- */
/* Merging                                                                 */

/* Replaces the sender's code in @code by this database's code for the same
 * name (created if needed).  A code without a name stays as it is. */
static gboolean
map_code (CasedbStore *store, CasedbTransferBundle *bundle, GHashTable *cache, char **code,
          GError **error)
{
  const char *name;
  const char *mapped;
  char *local;

  if (*code == NULL)
    return TRUE;
  if ((mapped = g_hash_table_lookup (cache, *code)) != NULL)
    {
      g_free (*code);
      *code = g_strdup (mapped);
      return TRUE;
    }
  name = g_hash_table_lookup (bundle->codebook, *code);
  if (name == NULL || ((*code)[0] != 'P' && (*code)[0] != 'M'))
    return TRUE;

  local = casedb_store_code_for_name (store, (*code)[0], name, error);
  if (local == NULL)
    return FALSE;
  g_hash_table_insert (cache, g_strdup (*code), g_strdup (local));
  g_free (*code);
  *code = local;
  return TRUE;
}

static void
merge_item_free (CasedbMergeItem *item)
{
  g_free (item->code);
  g_free (item);
}

static GPtrArray *
merge (CasedbStore *store, CasedbTransferBundle *bundle, gboolean dry_run, GError **error)
{
  g_autoptr(GPtrArray) mapped = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_json_writer_free);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) merge_item_free);
  g_autoptr(GHashTable) cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) result = NULL;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);
  g_return_val_if_fail (bundle != NULL, NULL);

  if (!casedb_store_require (store, CASEDB_PERM_EXPORT, error) ||
      !casedb_store_require (store, CASEDB_PERM_EDIT_CASES, error) ||
      !casedb_store_require (store, CASEDB_PERM_READ_IDENTITY, error))
    return NULL;
  if (g_strcmp0 (bundle->sender, casedb_store_get_database_id (store)) == 0)
    {
      g_set_error_literal (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT,
                           _("This package was made from this database"));
      return NULL;
    }

  for (guint i = 0; i < bundle->cases->len; i++)
    {
      const CasedbCase *in = g_ptr_array_index (bundle->cases, i);
      CasedbMergeItem *item = g_new0 (CasedbMergeItem, 1);

      g_ptr_array_add (items, item);
      if (dry_run)
        {
          item->incoming = in;
          continue;
        }

      {
        CasedbCase *c = casedb_case_copy (in);
        CasedbJsonWriter *w;

        g_ptr_array_add (mapped, c);
        if (!map_code (store, bundle, cache, &c->source_code, error))
          return NULL;
        for (guint j = 0; j < c->violations->len; j++)
          if (!map_code (store, bundle, cache,
                         &((CasedbViolation *) g_ptr_array_index (c->violations, j))->perpetrator_code,
                         error))
            return NULL;

        w = casedb_json_writer_new ();
        g_ptr_array_add (payloads, w);
        write_case (w, c);
        item->incoming = c;
        item->payload = casedb_json_writer_get_data (w, &item->payload_len);
      }
    }

  if (!casedb_store_merge_cases (store, bundle->sender, items, dry_run, error))
    return NULL;

  result = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_transfer_item_free);
  for (guint i = 0; i < items->len; i++)
    {
      CasedbMergeItem *item = g_ptr_array_index (items, i);
      const CasedbCase *in = g_ptr_array_index (bundle->cases, i);
      CasedbTransferItem *t = g_new0 (CasedbTransferItem, 1);

      t->uuid = g_strdup (in->uuid);
      t->sender_code = g_strdup (in->code);
      t->code = g_steal_pointer (&item->code);
      t->action = item->action;
      g_ptr_array_add (result, t);
    }
  return g_steal_pointer (&result);
}

GPtrArray *
casedb_transfer_preview (CasedbStore           *store,
                         CasedbTransferBundle  *bundle,
                         GError               **error)
{
  return merge (store, bundle, TRUE, error);
}

GPtrArray *
casedb_transfer_import (CasedbStore           *store,
                        CasedbTransferBundle  *bundle,
                        GError               **error)
{
  g_autoptr(GPtrArray) result = NULL;

  /* The sender's names join our code book only with the cases that use them. */
  if (!casedb_store_begin_batch (store, error))
    return NULL;
  result = merge (store, bundle, FALSE, error);
  if (result == NULL)
    {
      casedb_store_end_batch (store, FALSE, NULL);
      return NULL;
    }
  if (!casedb_store_end_batch (store, TRUE, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* ---------------------------------------------------------------------- */
/* Conflicts                                                               */

CasedbCase *
casedb_transfer_get_conflict (CasedbStore  *store,
                              const char   *uuid,
                              const char   *peer,
                              GError      **error)
{
  g_autoptr(JsonParser) parser = NULL;
  guint8 *data;
  gsize len = 0;
  CasedbCase *c = NULL;

  g_return_val_if_fail (CASEDB_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  data = casedb_store_get_conflict (store, uuid, peer, NULL, &len, error);
  if (data == NULL)
    return NULL;
  parser = parse_json (data, len, _("The kept version of the case is not valid JSON"), error);
  casedb_secure_free (data);
  if (parser == NULL)
    return NULL;
  c = read_case (json_parser_get_root (parser), _("the kept version"), error);
  wipe_json (json_parser_get_root (parser));
  if (c != NULL && g_strcmp0 (c->uuid, uuid) != 0)
    {
      g_set_error (error, CASEDB_ERROR, CASEDB_ERROR_DAMAGED,
                   _("The kept version of the case %s belongs to another case"), uuid);
      g_clear_pointer (&c, casedb_case_free);
    }
  return c;
}

gboolean
casedb_transfer_resolve (CasedbStore  *store,
                         const char   *uuid,
                         const char   *peer,
                         gboolean      keep_theirs,
                         GError      **error)
{
  g_autoptr(CasedbCase) theirs = NULL;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  if (!keep_theirs)
    return casedb_store_resolve_conflict (store, uuid, peer, NULL, error);

  theirs = casedb_transfer_get_conflict (store, uuid, peer, error);
  if (theirs == NULL)
    return FALSE;
  return casedb_store_resolve_conflict (store, uuid, peer, theirs, error);
}
