/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-test-case"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "casedb-test-util.h"

static char *
date_from_today (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%d");
}

/* Whether one of @problems mentions every string in @needles. */
static gboolean
has_problem (GPtrArray *problems, const char *first, ...)
{
  va_list ap;

  if (problems == NULL)
    return FALSE;

  for (guint i = 0; i < problems->len; i++)
    {
      const char *msg = g_ptr_array_index (problems, i);
      gboolean all = TRUE;

      va_start (ap, first);
      for (const char *n = first; n != NULL; n = va_arg (ap, const char *))
        if (strstr (msg, n) == NULL)
          all = FALSE;
      va_end (ap);

      if (all)
        return TRUE;
    }
  return FALSE;
}

static void
test_case_valid (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-1", "2024-03-01", CASEDB_VIOLATION_ABDUCTION);
  g_autoptr(GPtrArray) problems = casedb_case_validate (c);

  g_assert_null (problems);
}

static void
test_case_incident_date (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-1", "2024-03-01", CASEDB_VIOLATION_ABDUCTION);
  g_autofree char *tomorrow = date_from_today (1);
  g_autofree char *today = date_from_today (0);
  GPtrArray *problems;

  g_clear_pointer (&c->incident_date, g_free);
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", "required", NULL));
  g_ptr_array_unref (problems);

  c->incident_date = g_strdup ("2024-02-30");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", "2024-02-30", NULL));
  g_ptr_array_unref (problems);

  g_free (c->incident_date);
  c->incident_date = g_strdup ("01/03/2024");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", "YYYY-MM-DD", NULL));
  g_ptr_array_unref (problems);

  g_free (c->incident_date);
  c->incident_date = g_strdup (tomorrow);
  g_clear_pointer (&c->report_date, g_free);
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", "after today", NULL));
  g_ptr_array_unref (problems);

  g_free (c->incident_date);
  c->incident_date = g_strdup (today);
  problems = casedb_case_validate (c);
  g_assert_null (problems);
}

static void
test_case_report_date (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-1", "2024-03-10", CASEDB_VIOLATION_ABDUCTION);
  GPtrArray *problems;

  g_free (c->report_date);
  c->report_date = g_strdup ("2024-03-09");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Report date", "before", NULL));
  g_ptr_array_unref (problems);

  g_free (c->report_date);
  c->report_date = g_strdup ("2024-03-10");
  problems = casedb_case_validate (c);
  g_assert_null (problems);

  g_free (c->report_date);
  c->report_date = g_strdup ("2024-13-01");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Report date", "2024-13-01", NULL));
  g_ptr_array_unref (problems);
}

static void
test_case_violations (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-1", "2024-03-10", CASEDB_VIOLATION_KILLING_MAIMING);
  CasedbViolation *v = g_ptr_array_index (c->violations, 0);
  GPtrArray *problems;

  v->subtype = g_strdup ("maiming");
  g_assert_null (casedb_case_validate (c));

  g_free (v->subtype);
  v->subtype = g_strdup ("school");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Violation 1", "school", NULL));
  g_ptr_array_unref (problems);

  g_ptr_array_set_size (c->violations, 0);
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "at least one violation", NULL));
  g_ptr_array_unref (problems);
}

static void
test_case_victim_age (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-1", "2024-03-10", CASEDB_VIOLATION_ABDUCTION);
  CasedbVictim *v = casedb_case_add_victim (c);
  GPtrArray *problems;

  g_assert_cmpint (v->age, ==, -1);
  g_assert_null (casedb_case_validate (c));

  v->age = 0;
  g_assert_null (casedb_case_validate (c));
  v->age = 17;
  g_assert_null (casedb_case_validate (c));

  v->age = 18;
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Victim 1", "18", NULL));
  g_ptr_array_unref (problems);

  v->age = -2;
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Victim 1", NULL));
  g_ptr_array_unref (problems);
}

static void
test_case_draft (void)
{
  g_autoptr(CasedbCase) c = casedb_case_new ();
  CasedbVictim *v;
  GPtrArray *problems;

  /* Empty: not valid as a case, fine as a draft. */
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", NULL));
  g_assert_true (has_problem (problems, "violation", NULL));
  g_ptr_array_unref (problems);

  c->draft = TRUE;
  g_assert_null (casedb_case_validate (c));

  /* A draft must still be well-formed. */
  c->incident_date = g_strdup ("2024-99-01");
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Incident date", NULL));
  g_ptr_array_unref (problems);
  g_clear_pointer (&c->incident_date, g_free);

  v = casedb_case_add_victim (c);
  v->age = 30;
  problems = casedb_case_validate (c);
  g_assert_true (has_problem (problems, "Victim 1", NULL));
  g_assert_cmpuint (problems->len, ==, 1);
  g_ptr_array_unref (problems);
}

static void
test_case_copy_free (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("REF-7", "2024-01-05", CASEDB_VIOLATION_RECRUITMENT_USE);
  g_autoptr(CasedbCase) copy = NULL;
  CasedbViolation *vio;
  CasedbVictim *v;

  c->narrative = casedb_secure_strdup ("narrative text");
  c->location_detail = casedb_secure_strdup ("near the well");
  c->consent.withhold_from = casedb_secure_strdup ("the uncle");
  v = casedb_case_add_victim (c);
  v->name = casedb_secure_strdup ("Child One");
  v->guardian = casedb_secure_strdup ("Guardian One");
  v->age = 12;
  v->sex = CASEDB_SEX_FEMALE;
  casedb_case_add_victim (c)->age = 9;
  vio = g_ptr_array_index (c->violations, 0);
  vio->subtype = g_strdup ("use");
  g_array_append_val (vio->victims, (guint) { 1 });

  copy = casedb_case_copy (c);
  g_assert_true (copy != c);
  g_assert_cmpstr (copy->reference, ==, "REF-7");
  g_assert_cmpstr (copy->narrative, ==, "narrative text");
  g_assert_true (copy->narrative != c->narrative);
  g_assert_true (casedb_secure_is_secure (copy->narrative));
  g_assert_true (casedb_secure_is_secure (copy->location_detail));
  g_assert_cmpstr (copy->consent.withhold_from, ==, "the uncle");
  g_assert_cmpuint (copy->victims->len, ==, 2);
  v = g_ptr_array_index (copy->victims, 0);
  g_assert_cmpstr (v->name, ==, "Child One");
  g_assert_true (casedb_secure_is_secure (v->name));
  g_assert_cmpint (v->age, ==, 12);
  g_assert_cmpint (v->sex, ==, CASEDB_SEX_FEMALE);
  vio = g_ptr_array_index (copy->violations, 0);
  g_assert_cmpstr (vio->subtype, ==, "use");
  g_assert_cmpuint (vio->victims->len, ==, 1);
  g_assert_cmpuint (g_array_index (vio->victims, guint, 0), ==, 1);
  g_assert_true (copy->has_identities);

  /* Boxed type round trip. */
  {
    CasedbCase *boxed = g_boxed_copy (CASEDB_TYPE_CASE, c);

    g_assert_cmpstr (boxed->narrative, ==, "narrative text");
    g_boxed_free (CASEDB_TYPE_CASE, boxed);
  }

  casedb_case_clear_identities (copy);
  g_assert_null (copy->narrative);
  g_assert_null (copy->location_detail);
  g_assert_null (copy->consent.withhold_from);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (copy->victims, 0))->name);
  g_assert_null (((CasedbVictim *) g_ptr_array_index (copy->victims, 0))->guardian);
  g_assert_false (copy->has_identities);
  /* The original is untouched. */
  g_assert_cmpstr (c->narrative, ==, "narrative text");
}

static void
test_case_remove_victim (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("R", "2024-01-05", CASEDB_VIOLATION_ABDUCTION);
  CasedbViolation *vio = g_ptr_array_index (c->violations, 0);

  for (guint i = 0; i < 3; i++)
    casedb_case_add_victim (c)->age = (int) i;
  for (guint i = 0; i < 3; i++)
    g_array_append_val (vio->victims, i);

  casedb_case_remove_victim (c, 1);
  g_assert_cmpuint (c->victims->len, ==, 2);
  g_assert_cmpint (((CasedbVictim *) g_ptr_array_index (c->victims, 1))->age, ==, 2);
  g_assert_cmpuint (vio->victims->len, ==, 2);
  g_assert_cmpuint (g_array_index (vio->victims, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (vio->victims, guint, 1), ==, 1);
  g_assert_null (casedb_case_validate (c));
}

static void
test_case_subtypes (void)
{
  const char * const *s;

  s = casedb_violation_get_subtypes (CASEDB_VIOLATION_KILLING_MAIMING);
  g_assert_cmpuint (g_strv_length ((char **) s), ==, 2);
  g_assert_true (g_strv_contains (s, "killing"));
  g_assert_true (g_strv_contains (s, "maiming"));

  s = casedb_violation_get_subtypes (CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL);
  g_assert_cmpuint (g_strv_length ((char **) s), ==, 3);
  g_assert_true (g_strv_contains (s, "school"));
  g_assert_true (g_strv_contains (s, "hospital"));
  g_assert_true (g_strv_contains (s, "military_use"));

  s = casedb_violation_get_subtypes (CASEDB_VIOLATION_RECRUITMENT_USE);
  g_assert_true (g_strv_contains (s, "recruitment") && g_strv_contains (s, "use"));
  s = casedb_violation_get_subtypes (CASEDB_VIOLATION_SEXUAL_VIOLENCE);
  g_assert_true (g_strv_contains (s, "rape") && g_strv_contains (s, "other_sexual_violence"));

  g_assert_cmpuint (g_strv_length ((char **) casedb_violation_get_subtypes (CASEDB_VIOLATION_ABDUCTION)), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) casedb_violation_get_subtypes (CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS)), ==, 0);

  g_assert_true (casedb_violation_subtype_valid (CASEDB_VIOLATION_SEXUAL_VIOLENCE, "rape"));
  g_assert_false (casedb_violation_subtype_valid (CASEDB_VIOLATION_SEXUAL_VIOLENCE, "killing"));
  g_assert_false (casedb_violation_subtype_valid (CASEDB_VIOLATION_ABDUCTION, "killing"));
  g_assert_false (casedb_violation_subtype_valid (CASEDB_VIOLATION_ABDUCTION, NULL));

  /* Every subtype has a label of its own. */
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    for (s = casedb_violation_get_subtypes (k); *s != NULL; s++)
      g_assert_cmpstr (casedb_subtype_get_label (*s), !=, *s);
}

static void
test_case_enums (void)
{
  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      CasedbViolationKind back = CASEDB_N_VIOLATIONS;

      g_assert_true (casedb_violation_from_key (casedb_violation_to_key (k), &back));
      g_assert_cmpint (back, ==, k);
      g_assert_nonnull (casedb_violation_get_label (k));
    }
  g_assert_cmpstr (casedb_violation_to_key (CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL), ==,
                   "attack_school_hospital");
  {
    CasedbViolationKind k;
    g_assert_false (casedb_violation_from_key ("killing", &k));
    g_assert_false (casedb_violation_from_key (NULL, &k));
  }

  for (guint v = CASEDB_VERIFICATION_UNVERIFIED; v <= CASEDB_VERIFICATION_VERIFIED; v++)
    {
      CasedbVerification back = 99;

      g_assert_true (casedb_verification_from_key (casedb_verification_to_key (v), &back));
      g_assert_cmpint (back, ==, v);
      g_assert_nonnull (casedb_verification_get_label (v));
    }

  for (guint s = CASEDB_SEX_UNKNOWN; s <= CASEDB_SEX_MALE; s++)
    {
      CasedbSex back = 99;

      g_assert_true (casedb_sex_from_key (casedb_sex_to_key (s), &back));
      g_assert_cmpint (back, ==, s);
      g_assert_nonnull (casedb_sex_get_label (s));
    }

  for (guint b = CASEDB_CONSENT_BY_NONE; b <= CASEDB_CONSENT_BY_GUARDIAN; b++)
    {
      CasedbConsentBy back = 99;

      g_assert_true (casedb_consent_by_from_key (casedb_consent_by_to_key (b), &back));
      g_assert_cmpint (back, ==, b);
      g_assert_nonnull (casedb_consent_by_get_label (b));
    }

  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < CASEDB_N_USES; i++)
      {
        const char *key = casedb_use_to_key (1u << i);

        g_assert_nonnull (key);
        g_assert_nonnull (casedb_use_get_label (1u << i));
        g_assert_true (g_hash_table_add (seen, (gpointer) key));
      }
    g_assert_cmpstr (casedb_use_to_key (CASEDB_USE_STATISTICS), ==, "statistics");
  }
}

static void
test_case_mask (void)
{
  g_autoptr(CasedbCase) c = casedb_test_make_case ("R", "2024-01-05", CASEDB_VIOLATION_ABDUCTION);

  casedb_case_add_violation (c, CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS);
  casedb_case_add_violation (c, CASEDB_VIOLATION_ABDUCTION);
  g_assert_cmpuint (casedb_case_get_violation_mask (c), ==,
                    (1u << CASEDB_VIOLATION_ABDUCTION) | (1u << CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS));
}

static void
test_case_date_valid (void)
{
  g_assert_true (casedb_date_valid ("2024-02-29"));
  g_assert_false (casedb_date_valid ("2023-02-29"));
  g_assert_false (casedb_date_valid ("2024-2-01"));
  g_assert_false (casedb_date_valid ("2024-02-01x"));
  g_assert_false (casedb_date_valid ("２０２４-02-01"));
  g_assert_false (casedb_date_valid ("0000-01-01"));
  g_assert_false (casedb_date_valid (""));
  g_assert_false (casedb_date_valid (NULL));
}

static void
test_case_row (void)
{
  g_autoptr(CasedbCaseRow) row = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *violations = NULL;
  g_autofree char *code = NULL;
  guint mask = (1u << CASEDB_VIOLATION_KILLING_MAIMING) | (1u << CASEDB_VIOLATION_ABDUCTION);
  guint n_victims = 0;
  gboolean draft = FALSE;

  row = casedb_case_row_new (7, "C-2024-0007", "REF", "2024-01-02", "North", mask, 3,
                             CASEDB_VERIFICATION_PENDING, TRUE, FALSE, "summary");
  g_assert_cmpint (casedb_case_row_get_id (row), ==, 7);
  g_assert_cmpstr (casedb_case_row_get_code (row), ==, "C-2024-0007");
  g_assert_cmpuint (casedb_case_row_get_violation_mask (row), ==, mask);
  g_assert_cmpint (casedb_case_row_get_verification (row), ==, CASEDB_VERIFICATION_PENDING);
  keys = casedb_case_row_dup_violation_keys (row);
  g_assert_cmpstr (keys, ==, "killing_maiming;abduction");

  g_object_get (row, "code", &code, "n-victims", &n_victims, "draft", &draft,
                "violations", &violations, NULL);
  g_assert_cmpstr (code, ==, "C-2024-0007");
  g_assert_cmpuint (n_victims, ==, 3);
  g_assert_true (draft);
  g_assert_nonnull (strstr (violations, casedb_violation_get_label (CASEDB_VIOLATION_ABDUCTION)));
  g_assert_nonnull (strstr (violations, ", "));
}

/* One join of a violation mask serves the stored keys, the list's text and
 * its sort: kind order, whatever order the bits were set in. */
static void
test_case_violation_mask_join (void)
{
  guint mask = (1u << CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS) | (1u << CASEDB_VIOLATION_KILLING_MAIMING) |
               (1u << CASEDB_VIOLATION_ABDUCTION);
  g_autofree char *keys = casedb_violation_mask_join (mask, FALSE, ";");
  g_autofree char *labels = casedb_violation_mask_join (mask, TRUE, ", ");
  g_autofree char *none = casedb_violation_mask_join (0, TRUE, ", ");
  g_autofree char *expected = g_strdup_printf ("%s, %s, %s",
                                               casedb_violation_get_label (CASEDB_VIOLATION_KILLING_MAIMING),
                                               casedb_violation_get_label (CASEDB_VIOLATION_ABDUCTION),
                                               casedb_violation_get_label (CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS));

  g_assert_cmpstr (keys, ==, "killing_maiming;abduction;denial_humanitarian_access");
  g_assert_cmpstr (labels, ==, expected);
  g_assert_cmpstr (none, ==, "");
}

int
main (int argc, char *argv[])
{
  casedb_test_init (&argc, &argv);

  g_test_add_func ("/case/valid", test_case_valid);
  g_test_add_func ("/case/violation-mask-join", test_case_violation_mask_join);
  g_test_add_func ("/case/incident-date", test_case_incident_date);
  g_test_add_func ("/case/report-date", test_case_report_date);
  g_test_add_func ("/case/violations", test_case_violations);
  g_test_add_func ("/case/victim-age", test_case_victim_age);
  g_test_add_func ("/case/draft", test_case_draft);
  g_test_add_func ("/case/copy-free", test_case_copy_free);
  g_test_add_func ("/case/remove-victim", test_case_remove_victim);
  g_test_add_func ("/case/subtypes", test_case_subtypes);
  g_test_add_func ("/case/enums", test_case_enums);
  g_test_add_func ("/case/mask", test_case_mask);
  g_test_add_func ("/case/date-valid", test_case_date_valid);
  g_test_add_func ("/case/row", test_case_row);

  return g_test_run ();
}
