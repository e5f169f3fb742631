/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-demo"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "casedb-demo.h"
#include "casedb-error.h"
#include "casedb-secure.h"

/*
 * Every name and place here is invented and marked "(fictional)" so that a
 * screenshot of the demo can never be mistaken for, or leak, a real case.
 */

/* Published on purpose: the unlock page of the demo shows them. */
static const CasedbDemoUser demo_users[] = {
  { "sara", "demo-supervisor", CASEDB_ROLE_SUPERVISOR },
  { "karim", "demo-caseworker", CASEDB_ROLE_CASEWORKER },
  { "lina", "demo-analyst", CASEDB_ROLE_ANALYST },
};

#define DEMO_N_CASES 150
#define DEMO_SEED    0xCA5E

static const char *regions[] = {
  "Northern Province", "River District", "Eastern Highlands", "Capital Region", "Lake Zone",
};

static const char *places[] = {
  "Kalo village", "Mirembe camp", "Tandu crossing", "Oskari market town", "Belen hills",
  "Sefu river bank", "Nyota settlement", "Harrow junction", "Ilani valley", "Doruk farms",
};

static const char *landmarks[] = {
  "the primary school", "the health centre", "the water point", "the market", "the mosque",
  "the church", "the checkpoint", "the football field",
};

static const char *girls[] = {
  "Amal", "Hana", "Nadia", "Leyla", "Zara", "Imani", "Safiya", "Rania", "Noor", "Aisha",
  "Mariam", "Esther", "Grace", "Fatou", "Selam",
};

static const char *boys[] = {
  "Karim", "Yusuf", "Omar", "Tariq", "Samir", "Jamal", "Daniel", "Musa", "Idris", "Kofi",
  "Adil", "Bilal", "Elias", "Hamid", "Jonas",
};

static const char *parties[] = {
  "Red Hawks armed group (fictional)",
  "Freedonia State Armed Forces (fictional)",
  "River Front militia (fictional)",
  "Highland Defence Brigade (fictional)",
  "Unidentified armed men (fictional)",
};

static const char *sources[] = {
  "Field monitor Juniper (fictional)",
  "Partner NGO Bluebird (fictional)",
  "Community focal point Cedar (fictional)",
  "Health worker network Lotus (fictional)",
};

static const char *numbers[] = { "A", "Two", "Three", "Four" };

const CasedbDemoUser *
casedb_demo_get_users (guint *n_users)
{
  if (n_users != NULL)
    *n_users = G_N_ELEMENTS (demo_users);
  return demo_users;
}

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static gboolean
chance (GRand *rand, int percent)
{
  return g_rand_int_range (rand, 0, 100) < percent;
}

static CasedbViolationKind
pick_violation (GRand *rand)
{
  int r = g_rand_int_range (rand, 0, 100);

  if (r < 30)
    return CASEDB_VIOLATION_KILLING_MAIMING;
  if (r < 50)
    return CASEDB_VIOLATION_RECRUITMENT_USE;
  if (r < 70)
    return CASEDB_VIOLATION_ABDUCTION;
  if (r < 80)
    return CASEDB_VIOLATION_SEXUAL_VIOLENCE;
  if (r < 92)
    return CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL;
  return CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS;
}

static char *
pick_subtype (GRand *rand, CasedbViolationKind kind)
{
  const char * const *subtypes = casedb_violation_get_subtypes (kind);
  guint n = subtypes != NULL ? g_strv_length ((char **) subtypes) : 0;

  if (n == 0 || chance (rand, 10))
    return NULL;
  return g_strdup (subtypes[g_rand_int_range (rand, 0, n)]);
}

static char *
format_date (GDate *date)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

/* "Two boys", "A girl", "Three children" */
static const char *
describe_victims (CasedbCase *c, char *buf, gsize size)
{
  guint n = c->victims->len;
  guint n_female = 0, n_male = 0;
  const char *noun;

  for (guint i = 0; i < n; i++)
    {
      CasedbVictim *v = g_ptr_array_index (c->victims, i);

      n_female += v->sex == CASEDB_SEX_FEMALE;
      n_male += v->sex == CASEDB_SEX_MALE;
    }
  if (n_female == n)
    noun = n == 1 ? "girl" : "girls";
  else if (n_male == n)
    noun = n == 1 ? "boy" : "boys";
  else
    noun = n == 1 ? "child" : "children";
  g_snprintf (buf, size, "%s %s", numbers[MIN (n, G_N_ELEMENTS (numbers)) - 1], noun);
  return buf;
}

/* Coded, non-identifying summaries, the way monitors write them. */
static char *
make_summary (GRand *rand, CasedbCase *c, CasedbViolation *violation, const char *landmark)
{
  CasedbViolationKind kind = violation->kind;
  char who[64] = "";

  if (c->victims->len > 0)
    describe_victims (c, who, sizeof who);

  switch (kind)
    {
    case CASEDB_VIOLATION_KILLING_MAIMING:
      return g_strdup_printf ("%s %s by %s near %s", who,
                              g_strcmp0 (violation->subtype, "killing") == 0 ? "killed" : "injured",
                              chance (rand, 50) ? "unexploded ordnance" : "crossfire", landmark);
    case CASEDB_VIOLATION_RECRUITMENT_USE:
      return g_strdup_printf ("%s recruited and used as %s", who,
                              chance (rand, 50) ? "porters" : "guards at a checkpoint");
    case CASEDB_VIOLATION_ABDUCTION:
      return g_strdup_printf ("%s abducted near %s, released after %d days", who, landmark,
                              g_rand_int_range (rand, 1, 30));
    case CASEDB_VIOLATION_SEXUAL_VIOLENCE:
      return g_strdup_printf ("%s subjected to sexual violence near %s; referred for care",
                              who, landmark);
    case CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL:
      return g_strdup_printf ("%s %s; %s", chance (rand, 60) ? "School" : "Health centre",
                              chance (rand, 50) ? "shelled" : "occupied by armed men",
                              c->victims->len > 0 ? "children present" : "no children present");
    case CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS:
      return g_strdup_printf ("Aid convoy stopped at checkpoint for %d days",
                              g_rand_int_range (rand, 1, 15));
    case CASEDB_N_VIOLATIONS:
    default:
      g_assert_not_reached ();
    }
}

static void
add_victims (GRand *rand, CasedbCase *c, gboolean with_identities)
{
  guint n = (guint) g_rand_int_range (rand, 1, 4);

  for (guint i = 0; i < n; i++)
    {
      CasedbVictim *v = casedb_case_add_victim (c);
      int s = g_rand_int_range (rand, 0, 100);
      char buf[128];

      v->sex = s < 45 ? CASEDB_SEX_FEMALE : s < 92 ? CASEDB_SEX_MALE : CASEDB_SEX_UNKNOWN;
      v->age = chance (rand, 10) ? -1 : g_rand_int_range (rand, 4, 18);
      if (!with_identities)
        continue;
      if (v->sex != CASEDB_SEX_UNKNOWN || chance (rand, 50))
        {
          const char *first = v->sex == CASEDB_SEX_FEMALE ? PICK (rand, girls)
                              : v->sex == CASEDB_SEX_MALE ? PICK (rand, boys)
                              : chance (rand, 50) ? PICK (rand, girls) : PICK (rand, boys);

          g_snprintf (buf, sizeof buf, "%s %c. (fictional)", first,
                      'A' + g_rand_int_range (rand, 0, 26));
          v->name = casedb_secure_strdup (buf);
        }
      if (chance (rand, 40))
        {
          g_snprintf (buf, sizeof buf, "%s: %s (fictional)",
                      chance (rand, 60) ? "Mother" : chance (rand, 50) ? "Father" : "Uncle",
                      chance (rand, 50) ? PICK (rand, girls) : PICK (rand, boys));
          v->guardian = casedb_secure_strdup (buf);
        }
      if (chance (rand, 20))
        v->contact = casedb_secure_strdup ("Through the community focal point (fictional)");
    }
}

static void
link_all_victims (CasedbCase *c, CasedbViolation *violation)
{
  if (violation->victims == NULL)
    violation->victims = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < c->victims->len; i++)
    g_array_append_val (violation->victims, i);
}

typedef struct {
  GRand      *rand;
  GDate       today;
  gboolean    with_identities;
  gboolean    can_verify;
  guint32     seed;
  guint       index;
  guint       n_cases;
  char       *party_codes[G_N_ELEMENTS (parties)];
  char       *source_codes[G_N_ELEMENTS (sources)];
} Generator;

static CasedbCase *
generate_case (Generator *gen, guint index)
{
  GRand *rand = gen->rand;
  CasedbCase *c = casedb_case_new ();
  CasedbViolationKind kind = pick_violation (rand);
  CasedbViolation *violation;
  const char *landmark = PICK (rand, landmarks);
  GDate incident = gen->today;
  GDate report;
  GDate review;
  int v;
  char buf[256];

  g_date_subtract_days (&incident, g_rand_int_range (rand, 0, 3 * 365));
  report = incident;
  g_date_add_days (&report, g_rand_int_range (rand, 0, 45));
  if (g_date_compare (&report, &gen->today) > 0)
    report = gen->today;

  c->reference = g_strdup_printf ("REF-%X-%06u", gen->seed, index + 1);
  c->incident_date = format_date (&incident);
  c->report_date = format_date (&report);
  c->region = g_strdup (PICK (rand, regions));

  if (kind != CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS
      && (kind != CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL || chance (rand, 30)))
    add_victims (rand, c, gen->with_identities);

  violation = casedb_case_add_violation (c, kind);
  violation->subtype = pick_subtype (rand, kind);
  if (gen->party_codes[0] != NULL)
    violation->perpetrator_code = g_strdup (PICK (rand, gen->party_codes));
  link_all_victims (c, violation);

  /* Abducted children are often recruited, and recruited ones maimed. */
  if (c->victims->len > 0 && chance (rand, 15)
      && (kind == CASEDB_VIOLATION_ABDUCTION || kind == CASEDB_VIOLATION_RECRUITMENT_USE))
    {
      CasedbViolationKind second = kind == CASEDB_VIOLATION_ABDUCTION
                                   ? CASEDB_VIOLATION_RECRUITMENT_USE
                                   : CASEDB_VIOLATION_KILLING_MAIMING;
      CasedbViolation *other = casedb_case_add_violation (c, second);

      other->subtype = pick_subtype (rand, second);
      if (violation->perpetrator_code != NULL)
        other->perpetrator_code = g_strdup (violation->perpetrator_code);
      link_all_victims (c, other);
    }

  c->summary = make_summary (rand, c, violation, landmark);
  if (gen->source_codes[0] != NULL)
    c->source_code = g_strdup (PICK (rand, gen->source_codes));

  v = g_rand_int_range (rand, 0, 100);
  if (v < 40)
    c->verification = gen->can_verify ? CASEDB_VERIFICATION_VERIFIED : CASEDB_VERIFICATION_PENDING;
  else if (v < 75)
    c->verification = CASEDB_VERIFICATION_PENDING;
  else
    c->verification = CASEDB_VERIFICATION_UNVERIFIED;
  c->draft = chance (rand, 5);
  c->needs_followup = chance (rand, 15);

  v = g_rand_int_range (rand, 0, 100);
  c->consent.given_by = v < 45 ? CASEDB_CONSENT_BY_PARENT
                        : v < 65 ? CASEDB_CONSENT_BY_GUARDIAN
                        : v < 85 ? CASEDB_CONSENT_BY_VICTIM
                        : CASEDB_CONSENT_BY_NONE;
  if (c->consent.given_by != CASEDB_CONSENT_BY_NONE)
    {
      c->consent.date = g_strdup (c->report_date);
      c->consent.informed = TRUE;
      c->consent.uses = (chance (rand, 95) ? CASEDB_USE_STATISTICS : 0)
                        | (chance (rand, 70) ? CASEDB_USE_SHARE_UN : 0)
                        | (chance (rand, 15) ? CASEDB_USE_SHARE_IDENTITY : 0)
                        | (chance (rand, 40) ? CASEDB_USE_REFERRAL : 0)
                        | (chance (rand, 50) ? CASEDB_USE_FOLLOWUP : 0);
      c->consent.legal_basis = g_strdup ("Informed consent");
    }
  else
    c->consent.legal_basis = g_strdup ("Vital interests of the child (no consent obtained)");
  review = report;
  g_date_add_years (&review, 5);
  c->consent.retention_review = format_date (&review);

  if (gen->with_identities)
    {
      c->has_identities = TRUE;
      g_snprintf (buf, sizeof buf, "%s (fictional), near %s", PICK (rand, places), landmark);
      c->location_detail = casedb_secure_strdup (buf);
      g_snprintf (buf, sizeof buf,
                  "(fictional) Reported by a relative on %s. The family asked that the "
                  "account stay with the caseworker.", c->report_date);
      c->narrative = casedb_secure_strdup (buf);
      if (c->needs_followup)
        c->followup_notes = casedb_secure_strdup ("(fictional) Visit the family again about school enrolment.");
      if (chance (rand, 30))
        c->referral_notes = casedb_secure_strdup ("(fictional) Referred to the psychosocial support partner.");
      if (chance (rand, 5))
        {
          c->consent.withhold_from = casedb_secure_strdup ("(fictional) The local commander's family");
          c->consent.withhold_reason = casedb_secure_strdup ("(fictional) Fear of reprisals");
        }
    }

  return c;
}

/* CasedbCaseSource: one case at a time, so that a million cases never sit in
 * memory together (their identities would fill libgcrypt's secure pool,
 * whose allocator searches it linearly). */
static CasedbCase *
generator_next (gpointer data, GError **error)
{
  Generator *gen = data;

  if (gen->index >= gen->n_cases)
    return NULL;
  return generate_case (gen, gen->index++);
}

static void
generator_clear (Generator *gen)
{
  g_clear_pointer (&gen->rand, g_rand_free);
  for (guint i = 0; i < G_N_ELEMENTS (parties); i++)
    g_clear_pointer (&gen->party_codes[i], g_free);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_clear_pointer (&gen->source_codes[i], g_free);
}

gboolean
casedb_demo_populate (CasedbStore *store, guint n_cases, guint32 seed, GError **error)
{
  g_autoptr(GDateTime) now = NULL;
  Generator gen = { NULL, };
  gboolean ok = TRUE;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!casedb_store_require (store, CASEDB_PERM_EDIT_CASES, error))
    return FALSE;

  gen.rand = g_rand_new_with_seed (seed);
  gen.seed = seed;
  gen.n_cases = n_cases;
  gen.with_identities = casedb_store_can (store, CASEDB_PERM_READ_IDENTITY);
  gen.can_verify = casedb_store_can (store, CASEDB_PERM_VERIFY_CASES);
  now = g_date_time_new_now_local ();
  g_date_clear (&gen.today, 1);
  g_date_set_dmy (&gen.today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));

  /* The code book holds real names, so only a role with the identity key
   * can create codes; the set is small and fixed whatever @n_cases is. */
  if (gen.with_identities)
    {
      for (guint i = 0; ok && i < G_N_ELEMENTS (parties); i++)
        ok = (gen.party_codes[i] = casedb_store_code_for_name (store, 'P', parties[i], error)) != NULL;
      for (guint i = 0; ok && i < G_N_ELEMENTS (sources); i++)
        ok = (gen.source_codes[i] = casedb_store_code_for_name (store, 'M', sources[i], error)) != NULL;
    }

  /* All the cases in one transaction: all or nothing, one audit entry. */
  if (ok && n_cases > 0)
    ok = casedb_store_save_cases_from (store, generator_next, &gen, NULL, error);

  generator_clear (&gen);
  return ok;
}

static void
remove_database_files (const char *db_path)
{
  g_autofree char *keys = casedb_store_keyslots_path (db_path);
  g_autofree char *journal = g_strconcat (db_path, "-journal", NULL);

  g_unlink (db_path);
  g_unlink (keys);
  g_unlink (journal);
}

gboolean
casedb_demo_ensure (const char *db_path, GError **error)
{
  g_autoptr(CasedbStore) store = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (db_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_file_test (db_path, G_FILE_TEST_EXISTS))
    return TRUE;

  store = casedb_store_create (db_path, demo_users[0].user, demo_users[0].password, NULL, error);
  if (store == NULL)
    return FALSE;

  for (guint i = 1; ok && i < G_N_ELEMENTS (demo_users); i++)
    ok = casedb_store_add_user (store, demo_users[i].user, demo_users[i].role,
                                demo_users[i].password, error);
  if (ok)
    ok = casedb_demo_populate (store, DEMO_N_CASES, DEMO_SEED, error);

  casedb_store_close (store);
  /* A half-made demo would never be completed: ensure() skips existing files. */
  if (!ok)
    remove_database_files (db_path);
  return ok;
}
