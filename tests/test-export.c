/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "casedb-test-util.h"

/*
 * The coded export for the UN focal point: consent decides which cases go,
 * and identities go only with consent to share them AND the supervisor's
 * explicit choice.  Checked on the decrypted payload and on the file.
 */

#define MARKER     "Zzmarker"
#define PASSPHRASE "a long UN passphrase"

typedef struct {
  const char        *ref;
  const char        *who;      /* in every identity field of the case */
  CasedbConsentUses  uses;
  gboolean           draft;
} CaseSpec;

/* A: to the UN, coded only; B: to the UN with identities; C: not to the UN
 * at all (even with consent to share identities); D: a draft; E: no consent. */
static const CaseSpec specs[] = {
  { "REF-A", "Alpha", CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_UN, FALSE },
  { "REF-B", "Bravo", CASEDB_USE_SHARE_UN | CASEDB_USE_SHARE_IDENTITY, FALSE },
  { "REF-C", "Charlie", CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_IDENTITY, FALSE },
  { "REF-D", "Delta", CASEDB_USE_SHARE_UN | CASEDB_USE_SHARE_IDENTITY, TRUE },
  { "REF-E", "Echo", 0, FALSE },
};

typedef struct {
  char        *dir;
  char        *db;
  CasedbStore *store;
  char        *codes[G_N_ELEMENTS (specs)];
  guint        n_packages;
} Fixture;

static char *
secure_concat (const char *a, const char *b)
{
  g_autofree char *s = g_strconcat (a, b, NULL);

  return casedb_secure_strdup (s);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = casedb_test_mkdtemp ();
  f->db = g_build_filename (f->dir, "office.casedb", NULL);
  f->store = casedb_test_create_store (f->db, "sara", "sara-password");
  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (f->store, "lina", CASEDB_ROLE_ANALYST, "lina-password");

  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autoptr(CasedbCase) c = casedb_test_make_case (specs[i].ref, "2024-04-01",
                                                       CASEDB_VIOLATION_RECRUITMENT_USE);
      g_autoptr(GError) error = NULL;
      g_autofree char *who = g_strdup_printf (MARKER "%s", specs[i].who);
      CasedbViolation *vi = g_ptr_array_index (c->violations, 0);
      CasedbVictim *v = casedb_case_add_victim (c);
      guint idx = 0;

      v->sex = CASEDB_SEX_MALE;
      v->age = 15;
      v->name = secure_concat (who, " name");
      v->guardian = secure_concat (who, " guardian");
      v->contact = secure_concat (who, " phone");
      g_array_append_val (vi->victims, idx);
      vi->subtype = g_strdup ("use");
      vi->perpetrator_code = casedb_store_code_for_name (f->store, 'P', "Armed group Alpha", &error);
      g_assert_no_error (error);
      c->location_detail = secure_concat (who, " village");
      c->narrative = secure_concat (who, " narrative");
      c->followup_notes = secure_concat (who, " follow-up");
      c->referral_notes = secure_concat (who, " referral");
      c->consent.withhold_from = secure_concat (who, " withhold");
      c->consent.uses = specs[i].uses;
      c->draft = specs[i].draft;
      g_assert_true (casedb_store_save_case (f->store, c, &error));
      g_assert_no_error (error);
      f->codes[i] = g_strdup (c->code);
    }
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  casedb_test_rmtree (f->dir);
  for (guint i = 0; i < G_N_ELEMENTS (specs); i++)
    g_free (f->codes[i]);
  g_free (f->db);
  g_free (f->dir);
}

/* Exports, reads the package back; returns the decrypted "cases.json". */
static char *
export_un (Fixture *f, gboolean with_identities, CasedbUnExportResult *result, char **path_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *path = g_strdup_printf ("%s/un-%u.pkg", f->dir, ++f->n_packages);
  const CasedbPackageEntry *e;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);
  g_assert_true (casedb_export_un (f->store, path, PASSPHRASE, with_identities, &params, result, &error));
  g_assert_no_error (error);

  entries = casedb_package_read (path, CASEDB_PACKAGE_UN_EXPORT, PASSPHRASE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  e = casedb_package_find (entries, "cases.json");
  g_assert_nonnull (e);
  *path_out = g_steal_pointer (&path);
  return g_strndup ((const char *) e->data, e->len);
}

static JsonArray *
parse_cases (JsonParser *parser, const char *json, gboolean with_identities)
{
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "casedb-un-export");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpint (json_object_get_boolean_member (root, "with_identities"), ==, with_identities);
  return json_object_get_array_member (root, "cases");
}

/* Nothing of the office's own bookkeeping or of the other identity fields
 * ever leaves, whatever the consent. */
static void
assert_never_sent (const char *json, const char *path)
{
  const char * const never[] = {
    "REF-", "M-001", "Armed group", "guardian", "phone", "follow-up", "referral", "withhold",
    MARKER "Charlie", MARKER "Delta", MARKER "Echo",
  };

  for (guint i = 0; i < G_N_ELEMENTS (never); i++)
    g_assert_null (strstr (json, never[i]));
  /* The file is sealed: not even a case code shows. */
  g_assert_false (casedb_test_file_contains (path, MARKER));
  g_assert_false (casedb_test_file_contains (path, "C-2024-"));
  g_assert_false (casedb_test_file_contains (path, "recruitment_use"));
}

static void
test_export_coded (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  CasedbUnExportResult result;
  JsonArray *cases;

  json = export_un (f, FALSE, &result, &path);
  assert_never_sent (json, path);
  g_assert_null (strstr (json, MARKER));

  g_assert_cmpuint (result.n_cases, ==, 2);
  g_assert_cmpuint (result.n_with_identities, ==, 0);
  g_assert_cmpuint (result.n_no_consent, ==, 2);
  g_assert_cmpuint (result.n_drafts, ==, 1);

  cases = parse_cases (parser, json, FALSE);
  g_assert_cmpuint (json_array_get_length (cases), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      JsonObject *violation = json_array_get_object_element (json_object_get_array_member (c, "violations"), 0);
      JsonObject *victim = json_array_get_object_element (json_object_get_array_member (c, "victims"), 0);

      g_assert_cmpstr (json_object_get_string_member (c, "code"), ==, f->codes[i]);
      g_assert_cmpstr (json_object_get_string_member (c, "incident_date"), ==, "2024-04-01");
      g_assert_cmpstr (json_object_get_string_member (c, "region"), ==, "North");
      g_assert_cmpstr (json_object_get_string_member (c, "summary"), ==, "Coded summary");
      g_assert_false (json_object_get_boolean_member (c, "identities_included"));
      g_assert_false (json_object_has_member (c, "narrative"));
      g_assert_cmpstr (json_object_get_string_member (violation, "kind"), ==, "recruitment_use");
      g_assert_cmpstr (json_object_get_string_member (violation, "subtype"), ==, "use");
      g_assert_cmpstr (json_object_get_string_member (violation, "perpetrator_code"), ==, "P-0001");
      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (violation, "victims"), 0),
                       ==, json_object_get_string_member (victim, "code"));
      g_assert_cmpstr (json_object_get_string_member (victim, "sex"), ==, "male");
      g_assert_cmpint (json_object_get_int_member (victim, "age"), ==, 15);
      g_assert_false (json_object_has_member (victim, "name"));
    }
}

static void
test_export_identities (Fixture *f, gconstpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  CasedbUnExportResult result;
  gboolean identity_read = FALSE, exported = FALSE;
  JsonArray *cases;
  JsonObject *a, *b;

  json = export_un (f, TRUE, &result, &path);
  assert_never_sent (json, path);
  g_assert_cmpuint (result.n_cases, ==, 2);
  g_assert_cmpuint (result.n_with_identities, ==, 1);

  /* Only B consented to sharing identities. */
  g_assert_null (strstr (json, MARKER "Alpha"));
  g_assert_nonnull (strstr (json, MARKER "Bravo name"));

  cases = parse_cases (parser, json, TRUE);
  g_assert_cmpuint (json_array_get_length (cases), ==, 2);
  a = json_array_get_object_element (cases, 0);
  b = json_array_get_object_element (cases, 1);
  g_assert_cmpstr (json_object_get_string_member (a, "code"), ==, f->codes[0]);
  g_assert_false (json_object_get_boolean_member (a, "identities_included"));
  g_assert_cmpstr (json_object_get_string_member (b, "code"), ==, f->codes[1]);
  g_assert_true (json_object_get_boolean_member (b, "identities_included"));
  g_assert_cmpstr (json_object_get_string_member (b, "narrative"), ==, MARKER "Bravo narrative");
  g_assert_cmpstr (json_object_get_string_member (b, "location_detail"), ==, MARKER "Bravo village");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (b, "victims"), 0), "name"), ==, MARKER "Bravo name");

  /* Audited: the identity read and the export, with counts, never a name. */
  audit = casedb_store_list_audit (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      g_assert_null (strstr (e->detail, MARKER));
      if (g_strcmp0 (e->action, "identity_read") == 0 && g_strcmp0 (e->detail, "UN package: 1 cases") == 0)
        identity_read = TRUE;
      if (g_strcmp0 (e->action, "export") == 0 &&
          g_str_has_prefix (e->detail, "UN package: 2 cases, 1 with identities"))
        {
          g_assert_cmpstr (e->user, ==, "sara");
          exported = TRUE;
        }
    }
  g_assert_true (identity_read);
  g_assert_true (exported);
}

static void
test_export_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(CasedbStore) caseworker = NULL;
  g_autoptr(CasedbStore) analyst = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.pkg", NULL);
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  CasedbKdfParams params;

  casedb_kdf_params_testing (&params);

  g_assert_false (casedb_export_un (f->store, other, "short pass", FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  caseworker = casedb_store_open (f->db, "karim", "karim-password", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_export_un (caseworker, other, PASSPHRASE, FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  analyst = casedb_store_open (f->db, "lina", "lina-password", &error);
  g_assert_no_error (error);
  g_assert_false (casedb_export_un (analyst, other, PASSPHRASE, FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));

  json = export_un (f, FALSE, NULL, &path);
  g_assert_false (casedb_export_un (f->store, path, PASSPHRASE, FALSE, &params, NULL, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_clear_error (&error);

  entries = casedb_package_read (path, CASEDB_PACKAGE_UN_EXPORT, "not the passphrase", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_assert_null (entries);
  g_clear_error (&error);
  entries = casedb_package_read (path, CASEDB_PACKAGE_BACKUP, PASSPHRASE, &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_assert_null (entries);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add ("/export/un/coded", Fixture, NULL, fixture_setup, test_export_coded, fixture_teardown);
  g_test_add ("/export/un/identities", Fixture, NULL, fixture_setup, test_export_identities,
              fixture_teardown);
  g_test_add ("/export/un/refused", Fixture, NULL, fixture_setup, test_export_refused,
              fixture_teardown);

  return g_test_run ();
}
