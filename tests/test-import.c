/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "casedb-import-fixture.h"
#include "casedb-test-util.h"

/* Identity values carry this marker; no message may ever contain it. */
#define MARKER "Zzmarker"

typedef struct {
  char        *dir;
  char        *db_path;
  CasedbStore *store;   /* supervisor sara */
} Fixture;

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  fx->dir = casedb_test_mkdtemp ();
  fx->db_path = g_build_filename (fx->dir, "cases.db", NULL);
  fx->store = casedb_test_create_store (fx->db_path, "sara", "sara-password");
  casedb_test_add_user (fx->store, "karim", CASEDB_ROLE_CASEWORKER, "karim-password");
  casedb_test_add_user (fx->store, "lina", CASEDB_ROLE_ANALYST, "lina-password");
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  casedb_store_close (fx->store);
  g_clear_object (&fx->store);
  casedb_test_rmtree (fx->dir);
  g_free (fx->db_path);
  g_free (fx->dir);
}

static CasedbStore *
open_as (Fixture *fx, const char *user, const char *password)
{
  g_autoptr(GError) error = NULL;
  CasedbStore *store = casedb_store_open (fx->db_path, user, password, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static char *
write_csv (Fixture *fx, const char *name, GString *csv)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fx->dir, name, NULL);

  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  return path;
}

static guint
count_cases (CasedbStore *store)
{
  g_autoptr(GError) error = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) rows = casedb_store_list_cases (store, &query, &error);

  g_assert_no_error (error);
  return g_list_model_get_n_items (rows);
}

static CasedbCase *
load_by_reference (CasedbStore *store, const char *reference)
{
  g_autoptr(GError) error = NULL;
  CasedbQuery query = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) rows = casedb_store_list_cases (store, &query, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CasedbCaseRow) row = g_list_model_get_item (rows, i);

      if (g_strcmp0 (casedb_case_row_get_reference (row), reference) == 0)
        {
          CasedbCase *c = casedb_store_load_case (store, casedb_case_row_get_id (row), TRUE, &error);

          g_assert_no_error (error);
          return c;
        }
    }
  g_assert_not_reached ();
}

/* ---- the good file ---- */

/* Three cases in 9 rows over 10 physical lines:
 *  A: killing_maiming/maiming (Amal, Bilal) by P-0001, abduction (Amal) by a
 *     named party, recruitment_use/use (Bilal) by P-0002; rows not contiguous.
 *  B: attack_school_hospital/school with no individual victim, named party
 *     and named source, given twice.
 *  C: sexual_violence/rape with one unnamed victim of unknown sex, given
 *     twice; its narrative spans two lines. */
static GString *
make_good_csv (void)
{
  GString *csv = g_string_new (NULL);
  FixtureRow row;

  fixture_append_header (csv);

  row = fixture_row ("A");
  row.v[FX_VIOLATION] = "killing_maiming";
  row.v[FX_SUBTYPE] = "maiming";
  row.v[FX_VICTIM_NAME] = MARKER " Amal (fictional)";
  row.v[FX_VICTIM_SEX] = "female";
  row.v[FX_VICTIM_AGE] = "12";
  row.v[FX_LOCATION_DETAIL] = MARKER " Kalo village";
  row.v[FX_NARRATIVE] = MARKER " (fictional) narrative";
  fixture_append_row (csv, &row);                        /* line 2 */

  row.v[FX_VICTIM_NAME] = "Bilal (fictional)";
  row.v[FX_VICTIM_SEX] = "male";
  row.v[FX_VICTIM_AGE] = "9";
  fixture_append_row (csv, &row);                        /* line 3 */

  row.v[FX_VIOLATION] = "abduction";
  row.v[FX_SUBTYPE] = "";
  row.v[FX_VICTIM_NAME] = MARKER " Amal (fictional)";
  row.v[FX_VICTIM_SEX] = "female";
  row.v[FX_VICTIM_AGE] = " 12 ";
  row.v[FX_PERPETRATOR_PARTY] = "Red Hawks (fictional)";
  fixture_append_row (csv, &row);                        /* line 4 */

  {
    FixtureRow b = fixture_row ("B");

    b.v[FX_INCIDENT_DATE] = "2022-11-02";
    b.v[FX_REPORT_DATE] = "";
    b.v[FX_REGION] = "Lake Zone";
    b.v[FX_VIOLATION] = "attack_school_hospital";
    b.v[FX_SUBTYPE] = "school";
    b.v[FX_VICTIM_NAME] = "";
    b.v[FX_VICTIM_SEX] = "";
    b.v[FX_VICTIM_AGE] = "";
    b.v[FX_PERPETRATOR_PARTY] = "Red Hawks (fictional)";
    b.v[FX_SOURCE_CODE] = "Field monitor Juniper (fictional)";
    b.v[FX_VERIFICATION] = "unverified";
    b.v[FX_CONSENT_BY] = "none";
    b.v[FX_CONSENT_STATISTICS] = "no";
    b.v[FX_CONSENT_SHARE_UN] = "no";
    b.v[FX_CONSENT_FOLLOWUP] = "no";
    fixture_append_row (csv, &b);                        /* line 5 */

    row.v[FX_VIOLATION] = "recruitment_use";
    row.v[FX_SUBTYPE] = "use";
    row.v[FX_VICTIM_NAME] = "Bilal (fictional)";
    row.v[FX_VICTIM_SEX] = "male";
    row.v[FX_VICTIM_AGE] = "9";
    row.v[FX_PERPETRATOR_PARTY] = "P-0002";
    fixture_append_row (csv, &row);                      /* line 6 */

    fixture_append_row (csv, &b);                        /* line 7 */
  }

  row = fixture_row ("C");
  row.v[FX_VIOLATION] = "sexual_violence";
  row.v[FX_SUBTYPE] = "rape";
  row.v[FX_VICTIM_NAME] = "";
  row.v[FX_VICTIM_SEX] = "unknown";
  row.v[FX_VICTIM_AGE] = "";
  row.v[FX_VERIFICATION] = "verified";
  row.v[FX_NARRATIVE] = "(fictional) first line, with a comma\n\"quoted\" second line";
  row.v[FX_CONSENT_BY] = "victim";
  row.v[FX_CONSENT_SHARE_IDENTITY] = "yes";
  row.v[FX_CONSENT_REFERRAL] = "yes";
  fixture_append_row (csv, &row);                        /* lines 8-9 */
  fixture_append_row (csv, &row);                        /* lines 10-11 */

  return csv;
}

static CasedbCase *
find_case (GPtrArray *cases, const char *reference)
{
  for (guint i = 0; i < cases->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (cases, i);

      if (g_strcmp0 (c->reference, reference) == 0)
        return c;
    }
  g_assert_not_reached ();
}

static void
assert_victims (CasedbViolation *v, guint n, ...)
{
  va_list args;

  g_assert_cmpuint (v->victims->len, ==, n);
  va_start (args, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (v->victims, guint, i), ==, va_arg (args, guint));
  va_end (args);
}

/* Checks the structure both the parse and the stored cases must have. */
static void
assert_good_structure (CasedbCase *a, CasedbCase *b, CasedbCase *c)
{
  CasedbViolation *v;
  CasedbVictim *victim;

  g_assert_cmpuint (a->violations->len, ==, 3);
  g_assert_cmpuint (a->victims->len, ==, 2);
  v = g_ptr_array_index (a->violations, 0);
  g_assert_cmpint (v->kind, ==, CASEDB_VIOLATION_KILLING_MAIMING);
  g_assert_cmpstr (v->subtype, ==, "maiming");
  g_assert_cmpstr (v->perpetrator_code, ==, "P-0001");
  assert_victims (v, 2, 0, 1);
  v = g_ptr_array_index (a->violations, 1);
  g_assert_cmpint (v->kind, ==, CASEDB_VIOLATION_ABDUCTION);
  g_assert_null (v->subtype);
  assert_victims (v, 1, 0);
  v = g_ptr_array_index (a->violations, 2);
  g_assert_cmpint (v->kind, ==, CASEDB_VIOLATION_RECRUITMENT_USE);
  g_assert_cmpstr (v->subtype, ==, "use");
  g_assert_cmpstr (v->perpetrator_code, ==, "P-0002");
  assert_victims (v, 1, 1);
  victim = g_ptr_array_index (a->victims, 0);
  g_assert_cmpint (victim->sex, ==, CASEDB_SEX_FEMALE);
  g_assert_cmpint (victim->age, ==, 12);
  g_assert_cmpstr (victim->name, ==, MARKER " Amal (fictional)");
  g_assert_true (casedb_secure_is_secure (victim->name));
  victim = g_ptr_array_index (a->victims, 1);
  g_assert_cmpint (victim->sex, ==, CASEDB_SEX_MALE);
  g_assert_cmpint (victim->age, ==, 9);
  g_assert_cmpstr (victim->name, ==, "Bilal (fictional)");
  g_assert_cmpstr (a->incident_date, ==, "2023-03-14");
  g_assert_cmpstr (a->report_date, ==, "2023-03-20");
  g_assert_cmpstr (a->region, ==, "River District");
  g_assert_cmpstr (a->location_detail, ==, MARKER " Kalo village");
  g_assert_true (casedb_secure_is_secure (a->location_detail));
  g_assert_cmpstr (a->narrative, ==, MARKER " (fictional) narrative");
  g_assert_true (casedb_secure_is_secure (a->narrative));
  g_assert_cmpstr (a->source_code, ==, "M-0001");
  g_assert_cmpint (a->verification, ==, CASEDB_VERIFICATION_PENDING);
  g_assert_cmpint (a->consent.given_by, ==, CASEDB_CONSENT_BY_PARENT);
  g_assert_cmpuint (a->consent.uses, ==,
                    CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_UN | CASEDB_USE_FOLLOWUP);
  g_assert_false (a->draft);

  g_assert_cmpuint (b->violations->len, ==, 1);
  g_assert_cmpuint (b->victims->len, ==, 0);
  v = g_ptr_array_index (b->violations, 0);
  g_assert_cmpint (v->kind, ==, CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL);
  g_assert_cmpstr (v->subtype, ==, "school");
  assert_victims (v, 0);
  g_assert_cmpstr (b->region, ==, "Lake Zone");
  g_assert_null (b->report_date);
  g_assert_cmpint (b->consent.given_by, ==, CASEDB_CONSENT_BY_NONE);
  g_assert_cmpuint (b->consent.uses, ==, 0);

  g_assert_cmpuint (c->violations->len, ==, 1);
  g_assert_cmpuint (c->victims->len, ==, 1);
  victim = g_ptr_array_index (c->victims, 0);
  g_assert_null (victim->name);
  g_assert_cmpint (victim->sex, ==, CASEDB_SEX_UNKNOWN);
  g_assert_cmpint (victim->age, ==, -1);
  assert_victims (g_ptr_array_index (c->violations, 0), 1, 0);
  g_assert_cmpstr (c->narrative, ==, "(fictional) first line, with a comma\n\"quoted\" second line");
  g_assert_cmpint (c->verification, ==, CASEDB_VERIFICATION_VERIFIED);
  g_assert_cmpuint (c->consent.uses, ==, CASEDB_USE_STATISTICS | CASEDB_USE_SHARE_UN
                    | CASEDB_USE_SHARE_IDENTITY | CASEDB_USE_REFERRAL | CASEDB_USE_FOLLOWUP);
}

static void
test_import_parse_good (void)
{
  g_autoptr(GString) csv = make_good_csv ();
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GError) error = NULL;
  CasedbCase *b;

  cases = casedb_import_parse_csv (csv->str, csv->len, "/some/where/good.csv", &problems, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cases);
  g_assert_nonnull (problems);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (cases->len, ==, 3);
  /* In the order of their first row. */
  g_assert_cmpstr (((CasedbCase *) g_ptr_array_index (cases, 0))->reference, ==, "A");
  g_assert_cmpstr (((CasedbCase *) g_ptr_array_index (cases, 1))->reference, ==, "B");
  g_assert_cmpstr (((CasedbCase *) g_ptr_array_index (cases, 2))->reference, ==, "C");

  assert_good_structure (find_case (cases, "A"), find_case (cases, "B"), find_case (cases, "C"));

  /* Names of parties and sources are not codes: parsing alone leaves them
   * out of the case, so they never sit in ordinary memory. */
  b = find_case (cases, "B");
  g_assert_null (b->source_code);
  g_assert_null (((CasedbViolation *) g_ptr_array_index (b->violations, 0))->perpetrator_code);
}

static void
test_import_store_good (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) csv = make_good_csv ();
  g_autofree char *path = write_csv (fx, "good.csv", csv);
  g_autoptr(CasedbStore) karim = open_as (fx, "karim", "karim-password");
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbCase) a = NULL;
  g_autoptr(CasedbCase) b = NULL;
  g_autoptr(CasedbCase) c = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  g_autoptr(CasedbSecureString) party = NULL;
  g_autoptr(CasedbSecureString) source = NULL;
  CasedbViolation *va, *vb;
  guint n = 0;
  gboolean found = FALSE;

  /* C is "verified": a caseworker may not store that, and nothing is stored. */
  g_assert_false (casedb_import_csv_file (karim, path, &n, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_assert_true (strstr (error->message, "good.csv:8: column “verification”") != NULL);
  g_assert_cmpuint (count_cases (fx->store), ==, 0);
  g_clear_error (&error);

  g_assert_true (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (count_cases (fx->store), ==, 3);

  a = load_by_reference (fx->store, "A");
  b = load_by_reference (fx->store, "B");
  c = load_by_reference (fx->store, "C");
  assert_good_structure (a, b, c);

  /* Names became code-book codes; the same name got the same code. */
  va = g_ptr_array_index (a->violations, 1);
  vb = g_ptr_array_index (b->violations, 0);
  g_assert_true (g_str_has_prefix (va->perpetrator_code, "P-"));
  g_assert_cmpstr (va->perpetrator_code, ==, vb->perpetrator_code);
  g_assert_true (g_str_has_prefix (b->source_code, "M-"));
  party = casedb_store_name_for_code (fx->store, va->perpetrator_code, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (party, ==, "Red Hawks (fictional)");
  source = casedb_store_name_for_code (fx->store, b->source_code, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (source, ==, "Field monitor Juniper (fictional)");

  audit = casedb_store_list_audit (fx->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      /* One entry for the file, written in the import's own transaction. */
      if (g_strcmp0 (e->action, "import") == 0)
        {
          g_assert_false (found);
          g_assert_cmpstr (e->detail, ==, "3 cases from good.csv");
          g_assert_cmpstr (e->user, ==, "sara");
          found = TRUE;
        }
    }
  g_assert_true (found);

  /* The same file again: every case_ref is taken. */
  g_assert_false (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
  g_assert_true (g_str_has_prefix (error->message, "good.csv:2: column “case_ref”:"));
  g_assert_cmpuint (count_cases (fx->store), ==, 3);
}

/* ---- bad files ---- */

static void
assert_no_marker (GError *error, GPtrArray *problems)
{
  if (error != NULL)
    g_assert_null (strstr (error->message, MARKER));
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      CasedbImportProblem *p = g_ptr_array_index (problems, i);

      g_assert_null (strstr (p->message, MARKER));
      g_assert_true (p->column == NULL || strstr (p->column, MARKER) == NULL);
    }
}

/* Parses @csv expecting the first problem at @line in @column, then imports
 * it into the store expecting the same and zero cases stored. */
static void
assert_bad_file (Fixture *fx, GString *csv, guint line, const char *column, int code)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) cases = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *path = write_csv (fx, "bad.csv", csv);
  CasedbImportProblem *first;
  guint n = 99;

  if (column != NULL)
    prefix = g_strdup_printf ("bad.csv:%u: column “%s”: ", line, column);
  else
    prefix = g_strdup_printf ("bad.csv:%u: ", line);

  if (code == CASEDB_ERROR_INVALID_INPUT)
    {
      cases = casedb_import_parse_csv (csv->str, csv->len, path, &problems, &error);
      g_assert_null (cases);
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
      g_assert_nonnull (problems);
      g_assert_cmpuint (problems->len, >=, 1);
      first = g_ptr_array_index (problems, 0);
      g_assert_cmpuint (first->line, ==, line);
      g_assert_cmpstr (first->column, ==, column);
      if (!g_str_has_prefix (error->message, prefix))
        g_error ("“%s” does not start with “%s”", error->message, prefix);
      assert_no_marker (error, problems);
      g_clear_error (&error);
    }

  g_assert_false (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_error (error, CASEDB_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("“%s” does not start with “%s”", error->message, prefix);
  assert_no_marker (error, NULL);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (count_cases (fx->store), ==, 0);
}

/* Two good rows of case GOOD (lines 2, 3), then @bad (line 4). */
static GString *
csv_with_bad_row (FixtureRow *bad)
{
  GString *csv = g_string_new (NULL);
  FixtureRow good = fixture_row ("GOOD");

  fixture_append_header (csv);
  fixture_append_row (csv, &good);
  good.v[FX_VICTIM_NAME] = "Omar (fictional)";
  good.v[FX_VICTIM_SEX] = "male";
  fixture_append_row (csv, &good);
  fixture_append_row (csv, bad);
  return csv;
}

static const struct {
  FixtureColumn column;
  const char   *value;
  const char   *violation;
} bad_values[] = {
  { FX_INCIDENT_DATE, "2023-02-30", NULL },
  { FX_INCIDENT_DATE, "14/03/2023", NULL },
  { FX_REPORT_DATE, "2023-3-20", NULL },
  { FX_VICTIM_SEX, "girl", NULL },
  { FX_VICTIM_AGE, "18", NULL },
  { FX_VICTIM_AGE, "-1", NULL },
  { FX_VICTIM_AGE, "ten", NULL },
  { FX_VIOLATION, "bombing", NULL },
  { FX_SUBTYPE, "school", "killing_maiming" },
  { FX_SUBTYPE, "school", "abduction" },
  { FX_VERIFICATION, "confirmed", NULL },
  { FX_CONSENT_BY, "teacher", NULL },
  { FX_CONSENT_SHARE_UN, "maybe", NULL },
  { FX_CONSENT_REFERRAL, "", NULL },
  { FX_REGION, "", NULL },
};

static void
test_import_bad_values (Fixture *fx, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      FixtureRow bad = fixture_row ("BAD");
      g_autoptr(GString) csv = NULL;

      g_test_message ("%s = “%s”", fixture_columns[bad_values[i].column], bad_values[i].value);
      bad.v[FX_VICTIM_NAME] = MARKER " Leyla (fictional)";
      bad.v[FX_LOCATION_DETAIL] = MARKER " location";
      bad.v[FX_NARRATIVE] = MARKER " narrative";
      if (bad_values[i].violation != NULL)
        bad.v[FX_VIOLATION] = bad_values[i].violation;
      bad.v[bad_values[i].column] = bad_values[i].value;
      csv = csv_with_bad_row (&bad);
      assert_bad_file (fx, csv, 4, fixture_columns[bad_values[i].column],
                       CASEDB_ERROR_INVALID_INPUT);

      /* A value that is not an identity is quoted back. */
      if (bad_values[i].value[0] != '\0')
        {
          g_autoptr(GPtrArray) problems = NULL;
          g_autoptr(GError) error = NULL;
          g_autofree char *quoted = g_strdup_printf ("“%s”", bad_values[i].value);

          g_assert_null (casedb_import_parse_csv (csv->str, csv->len, "bad.csv", &problems, &error));
          g_assert_nonnull (strstr (error->message, quoted));
        }
    }
}

static void
test_import_victim_rules (Fixture *fx, gconstpointer data)
{
  FixtureRow bad = fixture_row ("BAD");
  g_autoptr(GString) csv = NULL;

  /* A named victim needs a sex; the message must not quote the name. */
  bad.v[FX_VICTIM_NAME] = MARKER " Nadia (fictional)";
  bad.v[FX_VICTIM_SEX] = "";
  csv = csv_with_bad_row (&bad);
  assert_bad_file (fx, csv, 4, "victim_sex", CASEDB_ERROR_INVALID_INPUT);
  g_string_free (g_steal_pointer (&csv), TRUE);

  /* An age without a victim. */
  bad = fixture_row ("BAD");
  bad.v[FX_VICTIM_NAME] = "";
  bad.v[FX_VICTIM_SEX] = "";
  bad.v[FX_VICTIM_AGE] = "7";
  csv = csv_with_bad_row (&bad);
  assert_bad_file (fx, csv, 4, "victim_age", CASEDB_ERROR_INVALID_INPUT);
}

static void
test_import_disagreeing_rows (Fixture *fx, gconstpointer data)
{
  const FixtureColumn case_level[] = { FX_INCIDENT_DATE, FX_REGION, FX_NARRATIVE,
                                       FX_LOCATION_DETAIL, FX_SOURCE_CODE, FX_CONSENT_SHARE_UN };

  for (guint i = 0; i < G_N_ELEMENTS (case_level); i++)
    {
      g_autoptr(GString) csv = g_string_new (NULL);
      g_autoptr(GPtrArray) problems = NULL;
      g_autoptr(GError) error = NULL;
      FixtureRow first = fixture_row ("SAME");
      FixtureRow other = fixture_row ("OTHER");
      FixtureRow second;

      first.v[FX_NARRATIVE] = MARKER " first narrative";
      first.v[FX_LOCATION_DETAIL] = MARKER " first place";
      first.v[FX_SOURCE_CODE] = MARKER " first source";
      second = first;
      second.v[FX_VICTIM_NAME] = "Safiya (fictional)";
      second.v[case_level[i]] = case_level[i] == FX_INCIDENT_DATE ? "2023-03-15"
                                : case_level[i] == FX_CONSENT_SHARE_UN ? "no"
                                : MARKER " second value";

      fixture_append_header (csv);
      fixture_append_row (csv, &first);    /* line 2 */
      fixture_append_row (csv, &other);    /* line 3 */
      fixture_append_row (csv, &second);   /* line 4 */

      assert_bad_file (fx, csv, 4, fixture_columns[case_level[i]], CASEDB_ERROR_INVALID_INPUT);

      /* Both lines are named. */
      g_assert_null (casedb_import_parse_csv (csv->str, csv->len, "bad.csv", &problems, &error));
      g_assert_nonnull (strstr (error->message, " 2 "));
      g_assert_nonnull (strstr (error->message, " 4 "));
    }
}

static void
test_import_header_problems (Fixture *fx, gconstpointer data)
{
  FixtureRow row = fixture_row ("H1");
  g_autoptr(GString) unknown = g_string_new (NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autoptr(GString) headerless = g_string_new (NULL);
  g_autoptr(GString) doubled = g_string_new (NULL);

  /* An unknown column */
  fixture_append_header (unknown);
  g_string_truncate (unknown, unknown->len - 2);
  g_string_append (unknown, ",favourite_colour\r\n");
  fixture_append_row (unknown, &row);
  g_string_truncate (unknown, unknown->len - 2);
  g_string_append (unknown, ",blue\r\n");
  assert_bad_file (fx, unknown, 1, "favourite_colour", CASEDB_ERROR_INVALID_INPUT);

  /* A required column missing (consent_by is not last: drop it by name) */
  for (guint i = 0; i < FX_N_COLUMNS; i++)
    {
      if (i == FX_CONSENT_BY)
        continue;
      if (missing->len > 0)
        g_string_append_c (missing, ',');
      g_string_append (missing, fixture_columns[i]);
    }
  g_string_append (missing, "\n");
  for (guint i = 0; i < FX_N_COLUMNS; i++)
    {
      if (i == FX_CONSENT_BY)
        continue;
      if (i > 0)
        g_string_append_c (missing, ',');
      casedb_csv_append_field (missing, row.v[i]);
    }
  g_string_append (missing, "\n");
  assert_bad_file (fx, missing, 1, "consent_by", CASEDB_ERROR_INVALID_INPUT);

  /* Header names are matched without regard to case. */
  {
    g_autoptr(GString) upper = g_string_new (NULL);
    g_autoptr(GPtrArray) cases = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *header = NULL;

    fixture_append_header (upper);
    header = g_ascii_strup (upper->str, -1);
    g_string_assign (upper, header);
    fixture_append_row (upper, &row);
    cases = casedb_import_parse_csv (upper->str, upper->len, "upper.csv", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (cases->len, ==, 1);
  }

  /* A column twice */
  fixture_append_header (doubled);
  g_string_truncate (doubled, doubled->len - 2);
  g_string_append (doubled, ",region\r\n");
  assert_bad_file (fx, doubled, 1, "region", CASEDB_ERROR_INVALID_INPUT);

  /* No header row: the first case would be taken as column names, and its
   * victim's name must not be quoted back as an "unknown column". */
  row.v[FX_VICTIM_NAME] = MARKER " Imani (fictional)";
  fixture_append_row (headerless, &row);
  assert_bad_file (fx, headerless, 1, NULL, CASEDB_ERROR_INVALID_INPUT);
}

static void
test_import_structure_problems (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) short_row = NULL;
  g_autoptr(GString) unterminated = NULL;
  g_autoptr(GString) empty = g_string_new ("");
  g_autoptr(GString) header_only = g_string_new (NULL);
  g_autoptr(GString) future = NULL;
  FixtureRow row = fixture_row ("S1");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 3);
  g_autofree char *tomorrow = g_date_time_format (later, "%Y-%m-%d");

  short_row = csv_with_bad_row (&row);
  g_string_append (short_row, "S2,2023-01-01\r\n");                        /* line 5 */
  assert_bad_file (fx, short_row, 5, NULL, CASEDB_ERROR_INVALID_INPUT);

  unterminated = csv_with_bad_row (&row);
  g_string_append (unterminated, "S3,\"2023-01-01,\r\n");                   /* line 5 */
  assert_bad_file (fx, unterminated, 5, NULL, CASEDB_ERROR_INVALID_INPUT);

  assert_bad_file (fx, empty, 1, NULL, CASEDB_ERROR_INVALID_INPUT);
  fixture_append_header (header_only);
  assert_bad_file (fx, header_only, 1, NULL, CASEDB_ERROR_INVALID_INPUT);

  /* A case the case model refuses (incident after today): named at its first line. */
  row.v[FX_INCIDENT_DATE] = tomorrow;
  row.v[FX_REPORT_DATE] = "";
  future = csv_with_bad_row (&row);
  assert_bad_file (fx, future, 4, NULL, CASEDB_ERROR_INVALID_INPUT);
}

static void
test_import_all_problems (void)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  FixtureRow row;
  const guint expected_lines[] = { 3, 5, 5, 6 };

  fixture_append_header (csv);
  row = fixture_row ("P1");
  fixture_append_row (csv, &row);                  /* 2: good */
  row.v[FX_VICTIM_AGE] = "19";
  fixture_append_row (csv, &row);                  /* 3: age */
  row = fixture_row ("P2");
  fixture_append_row (csv, &row);                  /* 4: good */
  row.v[FX_VICTIM_SEX] = "f";
  row.v[FX_VICTIM_AGE] = "x";
  fixture_append_row (csv, &row);                  /* 5: sex and age */
  row = fixture_row ("P3");
  row.v[FX_VIOLATION] = "killing";
  fixture_append_row (csv, &row);                  /* 6: violation */

  g_assert_null (casedb_import_parse_csv (csv->str, csv->len, "many.csv", &problems, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_INVALID_INPUT);
  g_assert_cmpuint (problems->len, ==, G_N_ELEMENTS (expected_lines));
  for (guint i = 0; i < problems->len; i++)
    {
      CasedbImportProblem *p = g_ptr_array_index (problems, i);

      g_assert_cmpuint (p->line, ==, expected_lines[i]);
      g_assert_nonnull (p->column);
      g_assert_nonnull (p->message);
    }
  g_assert_cmpstr (((CasedbImportProblem *) g_ptr_array_index (problems, 1))->column, ==, "victim_sex");
  g_assert_cmpstr (((CasedbImportProblem *) g_ptr_array_index (problems, 2))->column, ==, "victim_age");
  g_assert_cmpstr (((CasedbImportProblem *) g_ptr_array_index (problems, 3))->column, ==, "violation");
}

static void
test_import_duplicate_in_store (Fixture *fx, gconstpointer data)
{
  g_autoptr(CasedbCase) existing = casedb_test_make_case ("DUP-7", "2023-01-05",
                                                          CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  FixtureRow row;

  g_assert_true (casedb_store_save_case (fx->store, existing, &error));
  g_assert_no_error (error);

  fixture_append_header (csv);
  row = fixture_row ("NEW-1");
  fixture_append_row (csv, &row);                  /* 2 */
  row = fixture_row ("DUP-7");
  fixture_append_row (csv, &row);                  /* 3 */
  fixture_append_row (csv, &row);                  /* 4 */

  {
    g_autofree char *path = write_csv (fx, "dup.csv", csv);
    guint n = 0;

    g_assert_false (casedb_import_csv_file (fx->store, path, &n, &error));
    g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
    g_assert_true (g_str_has_prefix (error->message, "dup.csv:3: column “case_ref”: "));
    g_assert_nonnull (strstr (error->message, "DUP-7"));
    /* Only the case that was there before. */
    g_assert_cmpuint (count_cases (fx->store), ==, 1);
  }
}

/* A write that fails half-way through the import (here the disk "fills" at
 * the third case) keeps nothing: no case, and none of the file's party and
 * source names in the code book. */
static void
test_import_failure_keeps_no_names (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) csv = make_good_csv ();
  g_autofree char *path = write_csv (fx, "good.csv", csv);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = casedb_store_get_db_handle (fx->store);
  guint n = 0;

  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TEMP TRIGGER disk_full BEFORE INSERT ON main.cases"
                                 " WHEN (SELECT count(*) FROM main.cases) >= 2"
                                 " BEGIN SELECT RAISE (ABORT, 'database or disk is full'); END;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_false (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (count_cases (fx->store), ==, 0);
  g_assert_cmpuint (casedb_test_sql_int (fx->store, "SELECT count(*) FROM codebook"), ==, 0);
  g_clear_error (&error);

  /* The same file goes in whole once the disk has room, and the store
   * still takes single writes outside any batch. */
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER disk_full;", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (casedb_test_sql_int (fx->store, "SELECT count(*) FROM codebook"), ==, 2);   /* a party and a source */
  g_assert_true (sqlite3_get_autocommit (db));
}

static void
test_import_roles (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *missing = g_build_filename (fx->dir, "no-such.csv", NULL);
  g_autoptr(CasedbStore) lina = open_as (fx, "lina", "lina-password");
  g_autoptr(CasedbStore) karim = open_as (fx, "karim", "karim-password");
  g_autoptr(GError) error = NULL;
  FixtureRow row = fixture_row ("R1");
  guint n = 0;

  fixture_append_header (csv);
  fixture_append_row (csv, &row);
  path = write_csv (fx, "roles.csv", csv);

  g_assert_false (casedb_import_csv_file (lina, path, &n, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_cmpuint (count_cases (fx->store), ==, 0);

  g_assert_false (casedb_import_csv_file (karim, missing, &n, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (casedb_import_csv_file (karim, path, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (count_cases (fx->store), ==, 1);
}

/* The file's bytes are wiped once parsed, and nothing marked is left on disk. */
static void
test_import_no_plaintext_on_disk (Fixture *fx, gconstpointer data)
{
  g_autoptr(GString) csv = make_good_csv ();
  g_autofree char *path = write_csv (fx, "good.csv", csv);
  g_autofree char *found = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  g_assert_true (casedb_import_csv_file (fx->store, path, &n, &error));
  g_assert_no_error (error);
  casedb_store_close (fx->store);
  g_unlink (path);

  found = casedb_test_dir_find (fx->dir, MARKER);
  g_assert_null (found);
}

#define ADD(name, func) \
  g_test_add ("/import/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/import/parse-good", test_import_parse_good);
  g_test_add_func ("/import/all-problems", test_import_all_problems);
  ADD ("store-good", test_import_store_good);
  ADD ("bad-values", test_import_bad_values);
  ADD ("victim-rules", test_import_victim_rules);
  ADD ("disagreeing-rows", test_import_disagreeing_rows);
  ADD ("header-problems", test_import_header_problems);
  ADD ("structure-problems", test_import_structure_problems);
  ADD ("duplicate-in-store", test_import_duplicate_in_store);
  ADD ("roles", test_import_roles);
  ADD ("failure-keeps-no-names", test_import_failure_keeps_no_names);
  ADD ("no-plaintext-on-disk", test_import_no_plaintext_on_disk);

  return g_test_run ();
}
