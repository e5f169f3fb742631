/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casedb-import-fixture.h"
#include "casedb-test-util.h"

/*
 * Drives the built casedb-tool (CASEDB_TOOL) as a user would, passwords on
 * stdin.  The tool uses the default Argon2id cost (about half a second per
 * unlock), so the tests share one database and keep the runs few.
 */

#define MARKER "Zzmarker"
#define N_CASES 500   /* two rows each: a 1,000-row file */

static const char *sara_pw = "sara-password-1\n";
static const char *karim_pw = "karim-password-1\n";
static const char *lina_pw = "lina-password-1\n";

static char *tmp_dir;
static char *db_path;

/* What the generated file holds, to compute the expected filter results. */
typedef struct {
  char  date[11];
  guint mask;
} CaseInfo;
static CaseInfo cases[N_CASES];

static char *
strconcat_pw (const char *a, const char *b)
{
  return g_strconcat (a, b, NULL);
}

/* 500 cases, two rows each.  Case i: violation i % 6 with the victims
 * "Zzmarker Victim<i>" and "Qq Second<i>"; every fifth case has its second
 * row as an abduction with no individual victim instead. */
static GString *
make_cli_csv (void)
{
  GString *csv = g_string_new (NULL);
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, G_DATE_JANUARY, 2021);
  fixture_append_header (csv);

  for (guint i = 0; i < N_CASES; i++)
    {
      CasedbViolationKind kind = i % CASEDB_N_VIOLATIONS;
      const char * const *subtypes = casedb_violation_get_subtypes (kind);
      g_autofree char *ref = g_strdup_printf ("CLI-%04u", i);
      g_autofree char *name1 = g_strdup_printf (MARKER " Victim%u (fictional)", i);
      g_autofree char *name2 = g_strdup_printf ("Qq Second%u (fictional)", i);
      g_autofree char *age = g_strdup_printf ("%u", i % 18);
      FixtureRow row = fixture_row (ref);

      g_snprintf (cases[i].date, sizeof cases[i].date, "%04d-%02d-%02d",
                  g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date));
      cases[i].mask = 1u << kind;
      row.v[FX_INCIDENT_DATE] = cases[i].date;
      row.v[FX_REPORT_DATE] = cases[i].date;
      row.v[FX_VIOLATION] = casedb_violation_to_key (kind);
      row.v[FX_SUBTYPE] = subtypes != NULL && subtypes[0] != NULL ? subtypes[0] : "";
      row.v[FX_VICTIM_NAME] = name1;
      row.v[FX_VICTIM_SEX] = "female";
      row.v[FX_VICTIM_AGE] = age;
      row.v[FX_LOCATION_DETAIL] = MARKER " place";
      row.v[FX_NARRATIVE] = MARKER " narrative, with a comma\nand a second line";
      fixture_append_row (csv, &row);

      if (i % 5 == 0)
        {
          row.v[FX_VIOLATION] = "abduction";
          row.v[FX_SUBTYPE] = "";
          row.v[FX_VICTIM_NAME] = "";
          row.v[FX_VICTIM_SEX] = "";
          row.v[FX_VICTIM_AGE] = "";
          cases[i].mask |= 1u << CASEDB_VIOLATION_ABDUCTION;
        }
      else
        {
          row.v[FX_VICTIM_NAME] = name2;
          row.v[FX_VICTIM_SEX] = "male";
        }
      fixture_append_row (csv, &row);

      g_date_add_days (&date, 1);
    }

  return csv;
}

/* Parses CSV output; returns the records (each a GStrv), header first. */
static GPtrArray *
parse_csv_output (const char *out)
{
  g_autoptr(CasedbCsvReader) reader = casedb_csv_reader_new (out, strlen (out));
  g_autoptr(GError) error = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  while (casedb_csv_reader_next (reader, &error))
    {
      guint n = casedb_csv_reader_get_n_fields (reader);
      char **fields = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        fields[i] = g_strdup (casedb_csv_reader_get_field (reader, i));
      g_ptr_array_add (records, fields);
    }
  g_assert_no_error (error);
  return records;
}

static guint
first_integer (const char *s)
{
  while (*s != '\0' && !g_ascii_isdigit (*s))
    s++;
  g_assert_true (g_ascii_isdigit (*s));
  return (guint) strtoul (s, NULL, 10);
}

static guint
count_cases (CasedbStore *store)
{
  CasedbQuery query = CASEDB_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) rows = casedb_store_list_cases (store, &query, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (rows);
}

static CasedbStore *
open_in_process (const char *user, const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (db_path, user, password, &error);

  g_assert_no_error (error);
  return store;
}

/* init, one user per role and the import: shared by every test. */
static void
ensure_database (void)
{
  static gboolean done;
  g_autoptr(GString) csv = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *user;
    const char *role;
    const char *pw;
  } users[] = {
    { "karim", "caseworker", karim_pw },
    { "lina", "analyst", lina_pw },
    { "omar", "supervisor", "omar-password-1\n" },
  };

  if (done)
    return;

  g_assert_cmpint (casedb_test_run_tool (sara_pw, &out, &err, "init", db_path, "--admin", "sara", NULL), ==, 0);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));
  /* A second init must not overwrite it. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (casedb_test_run_tool (sara_pw, NULL, &err, "init", db_path, "--admin", "sara", NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *both = strconcat_pw (sara_pw, users[i].pw);

      g_assert_cmpint (casedb_test_run_tool (both, NULL, NULL, "user", "add", db_path, "--as", "sara",
                                 "--user", users[i].user, "--role", users[i].role, NULL), ==, 0);
    }

  csv = make_cli_csv ();
  csv_path = g_build_filename (tmp_dir, "cases.csv", NULL);
  g_file_set_contents (csv_path, csv->str, csv->len, &error);
  g_assert_no_error (error);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (casedb_test_run_tool (karim_pw, &out, NULL, "import", db_path, "--as", "karim", csv_path, NULL), ==, 0);
  g_assert_cmpuint (first_integer (out), ==, N_CASES);

  done = TRUE;
}

static void
test_cli_users (void)
{
  g_autofree char *out = NULL;
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[][2] = { { "karim", "caseworker" }, { "lina", "analyst" },
                                { "omar", "supervisor" }, { "sara", "supervisor" } };

  ensure_database ();

  store = open_in_process ("sara", "sara-password-1");
  users = casedb_store_list_users (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (users->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < users->len; i++)
    {
      CasedbUserInfo *u = g_ptr_array_index (users, i);

      g_assert_cmpstr (u->name, ==, expected[i][0]);
      g_assert_cmpstr (casedb_role_to_string (u->role), ==, expected[i][1]);
    }
  g_assert_cmpuint (count_cases (store), ==, N_CASES);
}

static void
test_cli_list_roles (void)
{
  g_autofree char *analyst = NULL;
  g_autofree char *caseworker = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(GError) error = NULL;
  const char *coded_header = "case_code,case_ref,incident_date,region,violations,victims,verification,draft";
  gboolean audited = FALSE;

  ensure_database ();

  g_assert_cmpint (casedb_test_run_tool (lina_pw, &analyst, NULL, "list", db_path, "--as", "lina", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (analyst, coded_header));
  g_assert_cmpint (analyst[strlen (coded_header)], ==, '\r');
  g_assert_null (strstr (analyst, "victim_names"));
  g_assert_null (strstr (analyst, MARKER));
  g_assert_null (strstr (analyst, "Second"));
  records = parse_csv_output (analyst);
  g_assert_cmpuint (records->len, ==, N_CASES + 1);
  for (guint r = 1; r < records->len; r++)
    {
      char **f = g_ptr_array_index (records, r);
      guint i;

      g_assert_cmpuint (g_strv_length (f), ==, 8);
      g_assert_true (g_str_has_prefix (f[1], "CLI-"));
      i = atoi (f[1] + 4);
      g_assert_cmpstr (f[2], ==, cases[i].date);
      g_assert_cmpstr (f[5], ==, i % 5 == 0 ? "1" : "2");
      g_assert_cmpstr (f[6], ==, "pending");
      g_assert_cmpstr (f[7], ==, "no");
      if (i % 5 == 0 && i % CASEDB_N_VIOLATIONS != CASEDB_VIOLATION_ABDUCTION)
        g_assert_nonnull (strchr (f[4], ';'));
    }
  g_clear_pointer (&records, g_ptr_array_unref);

  g_assert_cmpint (casedb_test_run_tool (karim_pw, &caseworker, NULL, "list", db_path, "--as", "karim", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (caseworker, coded_header));
  g_assert_true (g_str_has_prefix (caseworker + strlen (coded_header), ",victim_names\r\n"));
  records = parse_csv_output (caseworker);
  g_assert_cmpuint (records->len, ==, N_CASES + 1);
  for (guint r = 1; r < records->len; r++)
    {
      char **f = g_ptr_array_index (records, r);
      guint i = atoi (f[1] + 4);
      g_autofree char *expected = NULL;

      if (i % 5 == 0)
        expected = g_strdup_printf (MARKER " Victim%u (fictional)", i);
      else
        expected = g_strdup_printf (MARKER " Victim%u (fictional);Qq Second%u (fictional)", i, i);
      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_assert_cmpstr (f[8], ==, expected);
    }

  /* One audit entry for the whole listing. */
  store = open_in_process ("sara", "sara-password-1");
  audit = casedb_store_list_audit (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      if (g_strcmp0 (e->action, "identity_read") == 0 && g_strcmp0 (e->user, "karim") == 0)
        {
          g_assert_false (audited);
          g_assert_cmpstr (e->detail, ==, "list: 500 cases");
          audited = TRUE;
        }
    }
  g_assert_true (audited);
}

static void
test_cli_list_filters (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char *from = "2021-03-10", *to = "2021-09-30";
  guint expected = 0;
  JsonArray *array;

  ensure_database ();

  for (guint i = 0; i < N_CASES; i++)
    {
      if ((cases[i].mask & (1u << CASEDB_VIOLATION_ABDUCTION))
          && strcmp (cases[i].date, from) >= 0 && strcmp (cases[i].date, to) <= 0)
        expected++;
    }
  g_assert_cmpuint (expected, >, 10);

  g_assert_cmpint (casedb_test_run_tool (lina_pw, &out, NULL, "list", db_path, "--as", "lina",
                             "--violation", "abduction", "--from", from, "--to", to, NULL), ==, 0);
  records = parse_csv_output (out);
  g_assert_cmpuint (records->len, ==, expected + 1);
  for (guint r = 1; r < records->len; r++)
    {
      char **f = g_ptr_array_index (records, r);

      g_assert_nonnull (strstr (f[4], "abduction"));
      g_assert_cmpstr (f[2], >=, from);
      g_assert_cmpstr (f[2], <=, to);
    }

  /* JSON, for a role that sees identities. */
  expected = 0;
  for (guint i = 0; i < N_CASES; i++)
    expected += (cases[i].mask & (1u << CASEDB_VIOLATION_KILLING_MAIMING)) != 0;
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (casedb_test_run_tool (karim_pw, &out, NULL, "list", db_path, "--as", "karim",
                             "--violation", "killing_maiming", "--format", "json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, expected);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      JsonArray *names = json_object_get_array_member (o, "victim_names");
      JsonArray *violations = json_object_get_array_member (o, "violations");

      g_assert_cmpstr (json_array_get_string_element (violations, 0), ==, "killing_maiming");
      g_assert_cmpint (json_object_get_int_member (o, "victims"), ==, json_array_get_length (names));
      g_assert_true (g_str_has_prefix (json_array_get_string_element (names, 0), MARKER " Victim"));
      g_assert_false (json_object_get_boolean_member (o, "draft"));
    }

  /* A bad date is refused before any password is read. */
  g_assert_cmpint (casedb_test_run_tool (NULL, NULL, NULL, "list", db_path, "--as", "lina",
                             "--from", "2021-02-30", NULL), ==, 1);
}

static void
test_cli_show (void)
{
  g_autofree char *list = NULL;
  g_autofree char *analyst = NULL;
  g_autofree char *caseworker = NULL;
  g_autoptr(GPtrArray) records = NULL;
  char **first;

  ensure_database ();

  g_assert_cmpint (casedb_test_run_tool (lina_pw, &list, NULL, "list", db_path, "--as", "lina",
                             "--from", "2021-01-02", "--to", "2021-01-02", NULL), ==, 0);
  records = parse_csv_output (list);
  g_assert_cmpuint (records->len, ==, 2);
  first = g_ptr_array_index (records, 1);
  g_assert_cmpstr (first[1], ==, "CLI-0001");

  g_assert_cmpint (casedb_test_run_tool (lina_pw, &analyst, NULL, "show", db_path, "--as", "lina", first[0], NULL), ==, 0);
  g_assert_nonnull (strstr (analyst, "CLI-0001"));
  g_assert_nonnull (strstr (analyst, "recruitment_use"));
  g_assert_null (strstr (analyst, MARKER));

  g_assert_cmpint (casedb_test_run_tool (karim_pw, &caseworker, NULL, "show", db_path, "--as", "karim", first[0], NULL), ==, 0);
  g_assert_nonnull (strstr (caseworker, MARKER " Victim1 (fictional)"));
  g_assert_nonnull (strstr (caseworker, "Qq Second1 (fictional)"));
  g_assert_nonnull (strstr (caseworker, MARKER " place"));
}

static void
test_cli_denied (void)
{
  g_autofree char *err = NULL;
  g_autofree char *both = strconcat_pw (lina_pw, "new-user-password\n");

  ensure_database ();

  g_assert_cmpint (casedb_test_run_tool ("not-the-password\n", NULL, &err, "list", db_path, "--as", "lina", NULL), ==, 2);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
  g_assert_null (strstr (err, "not-the-password"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (casedb_test_run_tool (both, NULL, &err, "user", "add", db_path, "--as", "lina",
                             "--user", "eve", "--role", "supervisor", NULL), ==, 2);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
}

static void
test_cli_bad_csv (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *path = g_build_filename (tmp_dir, "bad.csv", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) store = NULL;
  FixtureRow row;

  ensure_database ();

  fixture_append_header (csv);
  row = fixture_row ("NEW-1");
  fixture_append_row (csv, &row);           /* line 2 */
  row = fixture_row ("NEW-2");
  row.v[FX_VICTIM_NAME] = MARKER " Bad (fictional)";
  row.v[FX_VICTIM_AGE] = "18";
  fixture_append_row (csv, &row);           /* line 3 */
  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);

  g_assert_cmpint (casedb_test_run_tool (karim_pw, NULL, &err, "import", db_path, "--as", "karim", path, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: bad.csv:3: column “victim_age”: "));
  g_assert_null (strstr (err, MARKER));

  /* Nothing from the file was stored, not even the good row. */
  store = open_in_process ("karim", "karim-password-1");
  g_assert_cmpuint (count_cases (store), ==, N_CASES);
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, len, &error);
  g_assert_no_error (error);
}

static void
test_cli_damaged (void)
{
  g_autofree char *copy = g_build_filename (tmp_dir, "truncated.db", NULL);
  g_autofree char *copy_keys = casedb_store_keyslots_path (copy);
  g_autofree char *keys = casedb_store_keyslots_path (db_path);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.db", NULL);
  g_autofree char *err = NULL;
  GStatBuf st;

  ensure_database ();

  copy_file (db_path, copy);
  copy_file (keys, copy_keys);
  g_assert_cmpint (g_stat (copy, &st), ==, 0);
  g_assert_cmpint (truncate (copy, st.st_size / 2), ==, 0);

  g_assert_cmpint (casedb_test_run_tool (lina_pw, NULL, &err, "list", copy, "--as", "lina", NULL), ==, 3);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
  g_clear_pointer (&err, g_free);

  /* A missing database is not damage: exit 1 with a clear message. */
  g_assert_cmpint (casedb_test_run_tool (lina_pw, NULL, &err, "list", missing, "--as", "lina", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "missing.db"));
}

static void
test_cli_audit_verify (void)
{
  g_autofree char *out = NULL;

  ensure_database ();

  g_assert_cmpint (casedb_test_run_tool (sara_pw, &out, NULL, "audit", "verify", db_path, "--as", "sara", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Audit log intact: "));
  g_assert_cmpuint (first_integer (out), >, 5);
}

static void
test_cli_passwd (void)
{
  g_autofree char *in = strconcat_pw (lina_pw, "lina-new-password\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbStore) old = NULL;
  g_autoptr(CasedbStore) store = NULL;

  ensure_database ();

  g_assert_cmpint (casedb_test_run_tool (in, NULL, NULL, "passwd", db_path, "--user", "lina", NULL), ==, 0);
  old = casedb_store_open (db_path, "lina", "lina-password-1", &error);
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_WRONG_PASSWORD);
  g_assert_null (old);
  g_clear_error (&error);
  store = casedb_store_open (db_path, "lina", "lina-new-password", &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  casedb_store_close (store);

  /* Back, so that test order does not matter. */
  g_clear_pointer (&in, g_free);
  in = g_strconcat ("lina-new-password\n", lina_pw, NULL);
  g_assert_cmpint (casedb_test_run_tool (in, NULL, NULL, "passwd", db_path, "--user", "lina", NULL), ==, 0);
}

/* Removing a user tells the supervisor to rekey, `user list` keeps saying
 * so until it is done, and after `rekey` it no longer does. */
static void
test_cli_rekey_due (void)
{
  g_autofree char *db = g_build_filename (tmp_dir, "rekey-due.casedb", NULL);
  g_autofree char *add = strconcat_pw ("ayla-password-1\n", "noor-password-1\n");
  g_autofree char *command = NULL;
  const char *ayla_pw = "ayla-password-1\n";
  char *out = NULL, *err = NULL;

  g_assert_cmpint (casedb_test_run_tool (ayla_pw, NULL, NULL, "init", db, "--admin", "ayla", NULL), ==, 0);
  g_assert_cmpint (casedb_test_run_tool (add, NULL, NULL, "user", "add", db, "--as", "ayla",
                                         "--user", "noor", "--role", "caseworker", NULL), ==, 0);
  g_assert_cmpint (casedb_test_run_tool (ayla_pw, &out, &err, "user", "list", db, "--as", "ayla", NULL), ==, 0);
  g_assert_null (strstr (err, "rekey"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  command = g_strdup_printf ("casedb-tool rekey %s --as ayla", db);
  g_assert_cmpint (casedb_test_run_tool (ayla_pw, &out, &err, "user", "remove", db, "--as", "ayla",
                                         "--user", "noor", NULL), ==, 0);
  g_assert_nonnull (strstr (err, command));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (casedb_test_run_tool (ayla_pw, &out, &err, "user", "list", db, "--as", "ayla", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "A rekey is due since 20"));
  g_assert_nonnull (strstr (err, command));
  g_assert_null (strstr (out, "noor"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (casedb_test_run_tool (ayla_pw, NULL, NULL, "rekey", db, "--as", "ayla", NULL), ==, 0);
  g_assert_cmpint (casedb_test_run_tool (ayla_pw, &out, &err, "user", "list", db, "--as", "ayla", NULL), ==, 0);
  g_assert_null (strstr (err, "rekey"));
  g_free (out);
  g_free (err);
}

static void
test_cli_usage (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (casedb_test_run_tool (NULL, &out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "user add DB --as NAME --user NEW --role ROLE"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (casedb_test_run_tool (NULL, &out, NULL, "list", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--violation"));
  g_assert_nonnull (strstr (out, "draft (yes or no)"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (casedb_test_run_tool (NULL, NULL, &err, "frobnicate", NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
  g_clear_pointer (&err, g_free);

  /* No password option exists. */
  g_assert_cmpint (casedb_test_run_tool (NULL, NULL, &err, "list", "x.db", "--as", "lina",
                             "--password", "secret", NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, "casedb-tool: "));
}

static void
test_cli_demo (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "demo.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GPtrArray) records = NULL;

  g_assert_cmpint (casedb_test_run_tool (NULL, &out, NULL, "demo", path, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "sara"));
  g_assert_nonnull (strstr (out, "demo-supervisor"));
  g_assert_nonnull (strstr (out, "demo-caseworker"));
  g_assert_nonnull (strstr (out, "demo-analyst"));

  g_assert_cmpint (casedb_test_run_tool ("demo-caseworker\n", &list, NULL, "list", path, "--as", "karim", NULL), ==, 0);
  records = parse_csv_output (list);
  g_assert_cmpuint (records->len, ==, 150 + 1);
  g_assert_nonnull (strstr (list, "(fictional)"));
}

/* export, open-package, backup, restore and transfer, end to end. */
static void
test_cli_export_backup_transfer (void)
{
  const char *pass = "cli package passphrase\n";
  g_autofree char *both = strconcat_pw (sara_pw, pass);
  g_autofree char *un = g_build_filename (tmp_dir, "un.pkg", NULL);
  g_autofree char *backup = g_build_filename (tmp_dir, "cli.backup", NULL);
  g_autofree char *restored = g_build_filename (tmp_dir, "restored.db", NULL);
  g_autofree char *transfer = g_build_filename (tmp_dir, "transfer.pkg", NULL);
  g_autofree char *main_db = g_build_filename (tmp_dir, "main.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  ensure_database ();

  /* The summary goes to stdout, the count of cases left out to stderr. */
  g_assert_cmpint (casedb_test_run_tool (sara_pw, &out, &err, "export", db_path, "--as", "sara", "--kind", "summary",
                             "--period", "year", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "violation,period,region,verification,incidents"));
  g_assert_null (strstr (out, MARKER));
  g_assert_nonnull (strstr (err, "0 cases left out: their consent does not allow statistics"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (casedb_test_run_tool (lina_pw, NULL, &err, "export", db_path, "--as", "lina", "--kind", "summary",
                             NULL), ==, 2);
  g_clear_pointer (&err, g_free);

  /* A UN package, read back.  No case consented to sharing identities. */
  g_assert_cmpint (casedb_test_run_tool (both, &out, NULL, "export", db_path, "--as", "sara", "--kind", "un",
                             "--with-identities", "--out", un, NULL), ==, 0);
  g_assert_nonnull (strstr (out, ": 500 cases, 0 with identities."));
  g_assert_false (casedb_test_file_contains (un, MARKER));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (casedb_test_run_tool (pass, &out, NULL, "open-package", un, "--out", "-", NULL), ==, 0);
  g_assert_null (strstr (out, MARKER));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "cases")), ==, N_CASES);
  g_assert_cmpint (casedb_test_run_tool ("not the passphrase\n", NULL, &err, "open-package", un, NULL), ==, 2);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);

  /* Backup, restore, and the restored copy opens with the same password. */
  g_assert_cmpint (casedb_test_run_tool (both, &out, NULL, "backup", db_path, "--as", "sara", backup, NULL), ==, 0);
  g_assert_false (casedb_test_file_contains (backup, MARKER));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (casedb_test_run_tool (pass, &out, NULL, "restore", backup, restored, NULL), ==, 0);
  g_assert_cmpint (casedb_test_run_tool (pass, NULL, &err, "restore", backup, restored, NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  store = casedb_store_open (restored, "sara", "sara-password-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_cases (store), ==, N_CASES);
  g_clear_object (&store);

  /* To another office and merged there. */
  store = casedb_test_create_store (main_db, "sara", "sara-password-1");
  g_clear_object (&store);
  g_assert_cmpint (casedb_test_run_tool (both, &out, NULL, "transfer", "export", db_path, "--as", "sara",
                             "--out", transfer, NULL), ==, 0);
  g_assert_false (casedb_test_file_contains (transfer, MARKER));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (casedb_test_run_tool (both, &out, NULL, "transfer", "import", main_db, "--as", "sara",
                             transfer, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "500 new, 0 updated, 0 unchanged, 0 conflicts"));
  store = casedb_store_open (main_db, "sara", "sara-password-1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_cases (store), ==, N_CASES);
}

int
main (int argc, char *argv[])
{
  int ret;

  casedb_test_init (&argc, &argv);

  tmp_dir = casedb_test_mkdtemp ();
  db_path = g_build_filename (tmp_dir, "cli.db", NULL);

  g_test_add_func ("/cli/usage", test_cli_usage);
  g_test_add_func ("/cli/users", test_cli_users);
  g_test_add_func ("/cli/list-roles", test_cli_list_roles);
  g_test_add_func ("/cli/list-filters", test_cli_list_filters);
  g_test_add_func ("/cli/show", test_cli_show);
  g_test_add_func ("/cli/denied", test_cli_denied);
  g_test_add_func ("/cli/bad-csv", test_cli_bad_csv);
  g_test_add_func ("/cli/damaged", test_cli_damaged);
  g_test_add_func ("/cli/audit-verify", test_cli_audit_verify);
  g_test_add_func ("/cli/passwd", test_cli_passwd);
  g_test_add_func ("/cli/rekey-due", test_cli_rekey_due);
  g_test_add_func ("/cli/demo", test_cli_demo);
  g_test_add_func ("/cli/export-backup-transfer", test_cli_export_backup_transfer);

  ret = g_test_run ();

  casedb_test_rmtree (tmp_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return ret;
}
