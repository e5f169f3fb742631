/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test"

#include "config.h"

#include <string.h>

#include "casedb-test-util.h"

#define N_CASES 400
#define MARKER  "Zzmarker Qqsummary"

static const char * const regions[] = { "North", "River District", "Lake, Zone", "East" };

typedef struct {
  guint incidents, female, male, unknown;
} Expected;

typedef struct {
  char        *dir;
  char        *db;
  CasedbStore *store;
  GHashTable  *expected;    /* "kind,period,region,verification" -> Expected */
  guint        n_excluded;
  guint        n_counted;
} Fixture;

static char *
quarter_of (const char *date)
{
  int month = atoi (date + 5);

  return g_strdup_printf ("%.4s-Q%d", date, (month - 1) / 3 + 1);
}

/* The independent computation: straight from the cases we generated. */
static void
expect_case (Fixture *f, const CasedbCase *c)
{
  g_autofree char *period = quarter_of (c->incident_date);

  if (c->draft)
    return;
  if (!(c->consent.uses & CASEDB_USE_STATISTICS))
    {
      f->n_excluded++;
      return;
    }
  f->n_counted++;
  for (guint v = 0; v < c->violations->len; v++)
    {
      const CasedbViolation *viol = g_ptr_array_index (c->violations, v);
      g_autofree char *key = g_strdup_printf ("%s|%s|%s|%s", casedb_violation_to_key (viol->kind),
                                              period, c->region,
                                              casedb_verification_to_key (c->verification));
      Expected *e = g_hash_table_lookup (f->expected, key);

      if (e == NULL)
        {
          e = g_new0 (Expected, 1);
          g_hash_table_insert (f->expected, g_steal_pointer (&key), e);
        }
      e->incidents++;
      for (guint i = 0; i < viol->victims->len; i++)
        {
          const CasedbVictim *victim = g_ptr_array_index (c->victims, g_array_index (viol->victims, guint, i));

          if (victim->sex == CASEDB_SEX_FEMALE)
            e->female++;
          else if (victim->sex == CASEDB_SEX_MALE)
            e->male++;
          else
            e->unknown++;
        }
    }
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  g_autoptr(GError) error = NULL;

  f->dir = casedb_test_mkdtemp ();
  f->db = g_build_filename (f->dir, "summary.casedb", NULL);
  f->store = casedb_test_create_store (f->db, "sara", "supervisor-pw");
  f->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint n = 0; n < N_CASES; n++)
    {
      g_autofree char *ref = g_strdup_printf ("REF-%04u", n);
      g_autofree char *date = g_strdup_printf ("%d-%02d-%02d", g_rand_int_range (rand, 2023, 2026),
                                               g_rand_int_range (rand, 1, 13), g_rand_int_range (rand, 1, 29));
      CasedbViolationKind first = g_rand_int_range (rand, 0, CASEDB_N_VIOLATIONS);
      CasedbCase *c = casedb_test_make_case (ref, date, first);
      guint n_victims = g_rand_int_range (rand, 0, 4);

      g_free (c->region);
      c->region = g_strdup (regions[g_rand_int_range (rand, 0, G_N_ELEMENTS (regions))]);
      c->verification = g_rand_int_range (rand, 0, 3);
      c->draft = g_rand_int_range (rand, 0, 10) == 0;
      if (g_rand_int_range (rand, 0, 5) == 0)
        c->consent.uses &= ~CASEDB_USE_STATISTICS;
      if (g_rand_boolean (rand))
        casedb_case_add_violation (c, (first + g_rand_int_range (rand, 1, CASEDB_N_VIOLATIONS)) % CASEDB_N_VIOLATIONS);
      for (guint i = 0; i < n_victims; i++)
        {
          CasedbVictim *victim = casedb_case_add_victim (c);

          victim->sex = g_rand_int_range (rand, 0, 3);
          victim->age = g_rand_int_range (rand, -1, 18);
          victim->name = casedb_secure_strdup (MARKER);
          for (guint v = 0; v < c->violations->len; v++)
            if (v == 0 || g_rand_boolean (rand))
              {
                CasedbViolation *viol = g_ptr_array_index (c->violations, v);

                g_array_append_val (viol->victims, i);
              }
        }
      expect_case (f, c);
      g_ptr_array_add (cases, c);
    }
  g_assert_true (casedb_store_save_cases (f->store, cases, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->expected, g_hash_table_unref);
  casedb_test_rmtree (f->dir);
  g_free (f->dir);
  g_free (f->db);
}

static char *
expect_count (guint count, guint k)
{
  if (count > 0 && count < k)
    return g_strdup_printf ("<%u", k);
  return g_strdup_printf ("%u", count);
}

/* Parses one RFC 4180 line (no embedded newlines in our output). */
static char **
split_csv (const char *line)
{
  GPtrArray *fields = g_ptr_array_new ();
  GString *cur = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; ; p++)
    {
      if (*p == '\0' || (!quoted && *p == ','))
        {
          g_ptr_array_add (fields, g_string_free (cur, FALSE));
          if (*p == '\0')
            break;
          cur = g_string_new (NULL);
        }
      else if (*p == '"')
        {
          if (quoted && p[1] == '"')
            g_string_append_c (cur, *++p);
          else
            quoted = !quoted;
        }
      else
        g_string_append_c (cur, *p);
    }
  g_ptr_array_add (fields, NULL);
  return (char **) g_ptr_array_free (fields, FALSE);
}

static void
check_csv (Fixture *f, guint k)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSummary) summary = casedb_summary_new (f->store, CASEDB_PERIOD_QUARTER, k, &error);
  g_autoptr(GBytes) csv = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *prev = NULL;
  guint n_rows = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (casedb_summary_get_n_excluded (summary), ==, f->n_excluded);
  csv = casedb_summary_to_csv (summary);
  text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
  g_assert_null (strstr (text, MARKER));
  g_assert_null (strstr (text, "REF-"));
  g_assert_null (strstr (text, "C-20"));

  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "violation,period,region,verification,incidents,"
                                 "victims_female,victims_male,victims_unknown,victims_total");
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) fields = split_csv (lines[i]);
      g_autofree char *key = NULL;
      g_autofree char *sort_key = NULL;
      Expected *e;

      g_assert_cmpuint (g_strv_length (fields), ==, 9);
      key = g_strdup_printf ("%s|%s|%s|%s", fields[0], fields[1], fields[2], fields[3]);
      e = g_hash_table_lookup (f->expected, key);
      g_assert_nonnull (e);
      {
        g_autofree char *inc = expect_count (e->incidents, k);
        g_autofree char *fe = expect_count (e->female, k);
        g_autofree char *ma = expect_count (e->male, k);
        g_autofree char *un = expect_count (e->unknown, k);
        gboolean part_hidden = (e->female > 0 && e->female < k) || (e->male > 0 && e->male < k) ||
                               (e->unknown > 0 && e->unknown < k);
        /* Secondary suppression: a total that would reveal a hidden part. */
        g_autofree char *to = part_hidden ? g_strdup ("x")
                                          : expect_count (e->female + e->male + e->unknown, k);

        g_assert_cmpstr (fields[4], ==, inc);
        g_assert_cmpstr (fields[5], ==, fe);
        g_assert_cmpstr (fields[6], ==, ma);
        g_assert_cmpstr (fields[7], ==, un);
        g_assert_cmpstr (fields[8], ==, to);
      }
      /* Sorted by violation, period, region, verification. */
      sort_key = g_strdup_printf ("%s\x01%s\x01%s\x01%s", fields[0], fields[1], fields[2], fields[3]);
      if (prev != NULL)
        g_assert_cmpint (strcmp (prev, sort_key), <, 0);
      g_free (prev);
      prev = g_steal_pointer (&sort_key);
      n_rows++;
    }
  /* One row per cell that has an incident: none missing. */
  g_assert_cmpuint (n_rows, ==, g_hash_table_size (f->expected));
}

static void
test_counts_exact (Fixture *f, gconstpointer data)
{
  check_csv (f, 0);
}

static void
test_counts_suppressed (Fixture *f, gconstpointer data)
{
  check_csv (f, 5);
  check_csv (f, 3);
}

static void
test_json_pdf (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CasedbSummary) summary = casedb_summary_new (f->store, CASEDB_PERIOD_YEAR, 5, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) json = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "summary.pdf", NULL);
  g_autofree char *contents = NULL;
  JsonObject *root;
  gsize len;

  g_assert_no_error (error);
  json = casedb_summary_to_json (summary);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (json, NULL),
                                             g_bytes_get_size (json), &error));
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "excluded_without_consent"), ==, f->n_excluded);
  g_assert_cmpstr (json_object_get_string_member (root, "period"), ==, "year");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "rows")), ==,
                    casedb_summary_get_n_rows (summary));
  g_assert_null (g_strstr_len (g_bytes_get_data (json, NULL), g_bytes_get_size (json), MARKER));

  g_assert_true (casedb_summary_write (summary, CASEDB_SUMMARY_PDF, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_cmpuint (len, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_false (casedb_test_file_contains (pdf, MARKER));
  /* Never overwrites. */
  g_assert_false (casedb_summary_write (summary, CASEDB_SUMMARY_CSV, pdf, &error));
  g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_EXISTS);
}

static void
test_only_supervisor (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) audit = NULL;
  gboolean found = FALSE;

  casedb_test_add_user (f->store, "lina", CASEDB_ROLE_ANALYST, "analyst-pw");
  casedb_test_add_user (f->store, "karim", CASEDB_ROLE_CASEWORKER, "caseworker-pw");
  for (guint i = 0; i < 2; i++)
    {
      const char *user = i == 0 ? "lina" : "karim";
      const char *pw = i == 0 ? "analyst-pw" : "caseworker-pw";
      g_autoptr(CasedbStore) other = casedb_store_open (f->db, user, pw, &error);

      g_assert_no_error (error);
      g_assert_null (casedb_summary_new (other, CASEDB_PERIOD_QUARTER, 5, &error));
      g_assert_error (error, CASEDB_ERROR, CASEDB_ERROR_NOT_PERMITTED);
      g_clear_error (&error);
    }

  {
    g_autoptr(CasedbSummary) summary = casedb_summary_new (f->store, CASEDB_PERIOD_MONTH, 5, &error);

    g_assert_no_error (error);
  }
  audit = casedb_store_list_audit (f->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < audit->len; i++)
    {
      CasedbAuditEntry *e = g_ptr_array_index (audit, i);

      if (g_strcmp0 (e->action, "export") == 0 && g_strcmp0 (e->user, "sara") == 0)
        found = TRUE;
    }
  g_assert_true (found);
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/summary/counts-exact", test_counts_exact);
  ADD ("/summary/counts-suppressed", test_counts_suppressed);
  ADD ("/summary/json-pdf", test_json_pdf);
  ADD ("/summary/only-supervisor", test_only_supervisor);
#undef ADD

  return g_test_run ();
}
