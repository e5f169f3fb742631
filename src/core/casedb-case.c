/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-case"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-case.h"
#include "casedb-secure.h"

/* ---- enum tables ---- */

typedef struct {
  const char *key;
  const char *label;
} KeyLabel;

static const KeyLabel violations[] = {
  [CASEDB_VIOLATION_KILLING_MAIMING] = { "killing_maiming", N_("Killing and maiming") },
  [CASEDB_VIOLATION_RECRUITMENT_USE] = { "recruitment_use", N_("Recruitment and use") },
  [CASEDB_VIOLATION_SEXUAL_VIOLENCE] = { "sexual_violence", N_("Rape and other sexual violence") },
  [CASEDB_VIOLATION_ABDUCTION] = { "abduction", N_("Abduction") },
  [CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL] = { "attack_school_hospital", N_("Attacks on schools or hospitals") },
  [CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS] = { "denial_humanitarian_access", N_("Denial of humanitarian access") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (violations) == CASEDB_N_VIOLATIONS);

/* One to one with Primero's MRM lookups. */
static const char * const subtypes_killing_maiming[] = { "killing", "maiming", NULL };
static const char * const subtypes_recruitment_use[] = { "recruitment", "use", NULL };
static const char * const subtypes_sexual_violence[] = { "rape", "other_sexual_violence", NULL };
static const char * const subtypes_attack[] = { "school", "hospital", "military_use", NULL };
static const char * const subtypes_none[] = { NULL };

static const char * const * const subtypes[] = {
  [CASEDB_VIOLATION_KILLING_MAIMING] = subtypes_killing_maiming,
  [CASEDB_VIOLATION_RECRUITMENT_USE] = subtypes_recruitment_use,
  [CASEDB_VIOLATION_SEXUAL_VIOLENCE] = subtypes_sexual_violence,
  [CASEDB_VIOLATION_ABDUCTION] = subtypes_none,
  [CASEDB_VIOLATION_ATTACK_SCHOOL_HOSPITAL] = subtypes_attack,
  [CASEDB_VIOLATION_DENIAL_HUMANITARIAN_ACCESS] = subtypes_none,
};
G_STATIC_ASSERT (G_N_ELEMENTS (subtypes) == CASEDB_N_VIOLATIONS);

static const KeyLabel subtype_labels[] = {
  { "killing", N_("Killing") },
  { "maiming", N_("Maiming") },
  { "recruitment", N_("Recruitment") },
  { "use", N_("Use") },
  { "rape", N_("Rape") },
  { "other_sexual_violence", N_("Other grave sexual violence") },
  { "school", N_("Attack on a school") },
  { "hospital", N_("Attack on a hospital") },
  { "military_use", N_("Military use of a school or hospital") },
};

static const KeyLabel verifications[] = {
  [CASEDB_VERIFICATION_UNVERIFIED] = { "unverified", N_("Unverified") },
  [CASEDB_VERIFICATION_PENDING] = { "pending", N_("Pending verification") },
  [CASEDB_VERIFICATION_VERIFIED] = { "verified", N_("Verified") },
};

static const KeyLabel sexes[] = {
  [CASEDB_SEX_UNKNOWN] = { "unknown", N_("Unknown") },
  [CASEDB_SEX_FEMALE] = { "female", N_("Female") },
  [CASEDB_SEX_MALE] = { "male", N_("Male") },
};

static const KeyLabel consent_bys[] = {
  [CASEDB_CONSENT_BY_NONE] = { "none", N_("No consent") },
  [CASEDB_CONSENT_BY_VICTIM] = { "victim", N_("The child") },
  [CASEDB_CONSENT_BY_PARENT] = { "parent", N_("A parent") },
  [CASEDB_CONSENT_BY_GUARDIAN] = { "guardian", N_("A guardian") },
};

static const KeyLabel uses[] = {
  { "statistics", N_("Anonymous statistics") },
  { "share_un", N_("Share the coded case with the UN") },
  { "share_identity", N_("Share identities") },
  { "referral", N_("Referral to services") },
  { "followup", N_("Follow-up contact") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (uses) == CASEDB_N_USES);

static gboolean
from_key (const KeyLabel *table, guint n, const char *key, int *out)
{
  if (key == NULL)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      if (strcmp (table[i].key, key) == 0)
        {
          *out = (int) i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
casedb_violation_to_key (CasedbViolationKind kind)
{
  g_return_val_if_fail ((guint) kind < CASEDB_N_VIOLATIONS, NULL);
  return violations[kind].key;
}

gboolean
casedb_violation_from_key (const char          *key,
                           CasedbViolationKind *kind)
{
  int v;

  g_return_val_if_fail (kind != NULL, FALSE);

  if (!from_key (violations, G_N_ELEMENTS (violations), key, &v))
    return FALSE;
  *kind = (CasedbViolationKind) v;
  return TRUE;
}

const char *
casedb_violation_get_label (CasedbViolationKind kind)
{
  g_return_val_if_fail ((guint) kind < CASEDB_N_VIOLATIONS, NULL);
  return _(violations[kind].label);
}

char *
casedb_violation_mask_join (guint       mask,
                            gboolean    labels,
                            const char *separator)
{
  GString *str = g_string_new (NULL);

  g_return_val_if_fail (separator != NULL, NULL);

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if ((mask & (1u << k)) == 0)
        continue;
      if (str->len > 0)
        g_string_append (str, separator);
      g_string_append (str, labels ? casedb_violation_get_label ((CasedbViolationKind) k)
                                   : casedb_violation_to_key ((CasedbViolationKind) k));
    }

  return g_string_free (str, FALSE);
}

const char * const *
casedb_violation_get_subtypes (CasedbViolationKind kind)
{
  g_return_val_if_fail ((guint) kind < CASEDB_N_VIOLATIONS, subtypes_none);
  return subtypes[kind];
}

gboolean
casedb_violation_subtype_valid (CasedbViolationKind  kind,
                                const char          *subtype)
{
  if ((guint) kind >= CASEDB_N_VIOLATIONS || subtype == NULL)
    return FALSE;

  return g_strv_contains ((const char * const *) subtypes[kind], subtype);
}

const char *
casedb_subtype_get_label (const char *subtype)
{
  int i;

  g_return_val_if_fail (subtype != NULL, NULL);

  if (!from_key (subtype_labels, G_N_ELEMENTS (subtype_labels), subtype, &i))
    return subtype;
  return _(subtype_labels[i].label);
}

const char *
casedb_verification_to_key (CasedbVerification v)
{
  g_return_val_if_fail ((guint) v < G_N_ELEMENTS (verifications), NULL);
  return verifications[v].key;
}

gboolean
casedb_verification_from_key (const char         *key,
                              CasedbVerification *v)
{
  int i;

  g_return_val_if_fail (v != NULL, FALSE);

  if (!from_key (verifications, G_N_ELEMENTS (verifications), key, &i))
    return FALSE;
  *v = (CasedbVerification) i;
  return TRUE;
}

const char *
casedb_verification_get_label (CasedbVerification v)
{
  g_return_val_if_fail ((guint) v < G_N_ELEMENTS (verifications), NULL);
  return _(verifications[v].label);
}

const char *
casedb_sex_to_key (CasedbSex sex)
{
  g_return_val_if_fail ((guint) sex < G_N_ELEMENTS (sexes), NULL);
  return sexes[sex].key;
}

gboolean
casedb_sex_from_key (const char *key,
                     CasedbSex  *sex)
{
  int i;

  g_return_val_if_fail (sex != NULL, FALSE);

  if (!from_key (sexes, G_N_ELEMENTS (sexes), key, &i))
    return FALSE;
  *sex = (CasedbSex) i;
  return TRUE;
}

const char *
casedb_sex_get_label (CasedbSex sex)
{
  g_return_val_if_fail ((guint) sex < G_N_ELEMENTS (sexes), NULL);
  return _(sexes[sex].label);
}

const char *
casedb_consent_by_to_key (CasedbConsentBy by)
{
  g_return_val_if_fail ((guint) by < G_N_ELEMENTS (consent_bys), NULL);
  return consent_bys[by].key;
}

gboolean
casedb_consent_by_from_key (const char      *key,
                            CasedbConsentBy *by)
{
  int i;

  g_return_val_if_fail (by != NULL, FALSE);

  if (!from_key (consent_bys, G_N_ELEMENTS (consent_bys), key, &i))
    return FALSE;
  *by = (CasedbConsentBy) i;
  return TRUE;
}

const char *
casedb_consent_by_get_label (CasedbConsentBy by)
{
  g_return_val_if_fail ((guint) by < G_N_ELEMENTS (consent_bys), NULL);
  return _(consent_bys[by].label);
}

static int
use_index (CasedbConsentUses use)
{
  for (guint i = 0; i < CASEDB_N_USES; i++)
    if ((guint) use == (1u << i))
      return (int) i;
  return -1;
}

const char *
casedb_use_to_key (CasedbConsentUses use)
{
  int i = use_index (use);

  g_return_val_if_fail (i >= 0, NULL);
  return uses[i].key;
}

const char *
casedb_use_get_label (CasedbConsentUses use)
{
  int i = use_index (use);

  g_return_val_if_fail (i >= 0, NULL);
  return _(uses[i].label);
}

/* ---- the case ---- */

static void
victim_free (gpointer data)
{
  CasedbVictim *v = data;

  if (v == NULL)
    return;
  g_free (v->code);
  casedb_secure_free (v->name);
  casedb_secure_free (v->guardian);
  casedb_secure_free (v->contact);
  g_free (v);
}

static void
violation_free (gpointer data)
{
  CasedbViolation *v = data;

  if (v == NULL)
    return;
  g_free (v->subtype);
  g_free (v->perpetrator_code);
  g_clear_pointer (&v->victims, g_array_unref);
  g_free (v);
}

static CasedbViolation *
violation_new (CasedbViolationKind kind)
{
  CasedbViolation *v = g_new0 (CasedbViolation, 1);

  v->kind = kind;
  v->victims = g_array_new (FALSE, FALSE, sizeof (guint));
  return v;
}

G_DEFINE_BOXED_TYPE (CasedbCase, casedb_case, casedb_case_copy, casedb_case_free)

/**
 * casedb_case_new:
 *
 * A new, empty case.  It holds its own (empty) identity fields, so
 * has_identities is %TRUE: saving it stores what the fields say.
 *
 * Returns: (transfer full): a new case
 */
CasedbCase *
casedb_case_new (void)
{
  CasedbCase *c = g_new0 (CasedbCase, 1);

  c->violations = g_ptr_array_new_with_free_func (violation_free);
  c->victims = g_ptr_array_new_with_free_func (victim_free);
  c->verification = CASEDB_VERIFICATION_UNVERIFIED;
  c->consent.given_by = CASEDB_CONSENT_BY_NONE;
  c->has_identities = TRUE;
  return c;
}

CasedbCase *
casedb_case_copy (const CasedbCase *c)
{
  CasedbCase *copy;

  g_return_val_if_fail (c != NULL, NULL);

  copy = casedb_case_new ();
  copy->id = c->id;
  copy->uuid = g_strdup (c->uuid);
  copy->code = g_strdup (c->code);
  copy->reference = g_strdup (c->reference);
  copy->incident_date = g_strdup (c->incident_date);
  copy->report_date = g_strdup (c->report_date);
  copy->region = g_strdup (c->region);
  copy->location_detail = casedb_secure_strdup (c->location_detail);
  copy->source_code = g_strdup (c->source_code);
  copy->verification = c->verification;
  copy->summary = g_strdup (c->summary);
  copy->narrative = casedb_secure_strdup (c->narrative);
  copy->followup_notes = casedb_secure_strdup (c->followup_notes);
  copy->referral_notes = casedb_secure_strdup (c->referral_notes);
  copy->needs_followup = c->needs_followup;
  copy->draft = c->draft;
  copy->consent.given_by = c->consent.given_by;
  copy->consent.date = g_strdup (c->consent.date);
  copy->consent.informed = c->consent.informed;
  copy->consent.uses = c->consent.uses;
  copy->consent.withhold_from = casedb_secure_strdup (c->consent.withhold_from);
  copy->consent.withhold_reason = casedb_secure_strdup (c->consent.withhold_reason);
  copy->consent.legal_basis = g_strdup (c->consent.legal_basis);
  copy->consent.retention_review = g_strdup (c->consent.retention_review);
  copy->has_identities = c->has_identities;
  copy->created = g_strdup (c->created);
  copy->updated = g_strdup (c->updated);
  copy->updated_by = g_strdup (c->updated_by);

  for (guint i = 0; i < c->victims->len; i++)
    {
      const CasedbVictim *v = g_ptr_array_index (c->victims, i);
      CasedbVictim *nv = casedb_case_add_victim (copy);

      nv->code = g_strdup (v->code);
      nv->sex = v->sex;
      nv->age = v->age;
      nv->name = casedb_secure_strdup (v->name);
      nv->guardian = casedb_secure_strdup (v->guardian);
      nv->contact = casedb_secure_strdup (v->contact);
    }

  for (guint i = 0; i < c->violations->len; i++)
    {
      const CasedbViolation *v = g_ptr_array_index (c->violations, i);
      CasedbViolation *nv = casedb_case_add_violation (copy, v->kind);

      nv->subtype = g_strdup (v->subtype);
      nv->perpetrator_code = g_strdup (v->perpetrator_code);
      if (v->victims != NULL && v->victims->len > 0)
        g_array_append_vals (nv->victims, v->victims->data, v->victims->len);
    }

  return copy;
}

void
casedb_case_clear_identities (CasedbCase *c)
{
  g_return_if_fail (c != NULL);

  casedb_secure_clear (&c->location_detail);
  casedb_secure_clear (&c->narrative);
  casedb_secure_clear (&c->followup_notes);
  casedb_secure_clear (&c->referral_notes);
  casedb_secure_clear (&c->consent.withhold_from);
  casedb_secure_clear (&c->consent.withhold_reason);

  for (guint i = 0; c->victims != NULL && i < c->victims->len; i++)
    {
      CasedbVictim *v = g_ptr_array_index (c->victims, i);

      casedb_secure_clear (&v->name);
      casedb_secure_clear (&v->guardian);
      casedb_secure_clear (&v->contact);
    }

  c->has_identities = FALSE;
}

void
casedb_case_free (CasedbCase *c)
{
  if (c == NULL)
    return;

  casedb_case_clear_identities (c);
  g_free (c->uuid);
  g_free (c->code);
  g_free (c->reference);
  g_free (c->incident_date);
  g_free (c->report_date);
  g_free (c->region);
  g_free (c->source_code);
  g_free (c->summary);
  g_free (c->consent.date);
  g_free (c->consent.legal_basis);
  g_free (c->consent.retention_review);
  g_free (c->created);
  g_free (c->updated);
  g_free (c->updated_by);
  g_clear_pointer (&c->violations, g_ptr_array_unref);
  g_clear_pointer (&c->victims, g_ptr_array_unref);
  g_free (c);
}

CasedbVictim *
casedb_case_add_victim (CasedbCase *c)
{
  CasedbVictim *v;

  g_return_val_if_fail (c != NULL, NULL);

  v = g_new0 (CasedbVictim, 1);
  v->sex = CASEDB_SEX_UNKNOWN;
  v->age = -1;
  g_ptr_array_add (c->victims, v);
  return v;
}

CasedbViolation *
casedb_case_add_violation (CasedbCase          *c,
                           CasedbViolationKind  kind)
{
  CasedbViolation *v;

  g_return_val_if_fail (c != NULL, NULL);
  g_return_val_if_fail ((guint) kind < CASEDB_N_VIOLATIONS, NULL);

  v = violation_new (kind);
  g_ptr_array_add (c->violations, v);
  return v;
}

void
casedb_case_remove_victim (CasedbCase *c,
                           guint       index)
{
  g_return_if_fail (c != NULL);
  g_return_if_fail (index < c->victims->len);

  g_ptr_array_remove_index (c->victims, index);

  for (guint i = 0; i < c->violations->len; i++)
    {
      CasedbViolation *v = g_ptr_array_index (c->violations, i);

      for (guint j = v->victims->len; j > 0; j--)
        {
          guint *idx = &g_array_index (v->victims, guint, j - 1);

          if (*idx == index)
            g_array_remove_index (v->victims, j - 1);
          else if (*idx > index)
            (*idx)--;
        }
    }
}

guint
casedb_case_get_violation_mask (const CasedbCase *c)
{
  guint mask = 0;

  g_return_val_if_fail (c != NULL, 0);

  for (guint i = 0; i < c->violations->len; i++)
    {
      const CasedbViolation *v = g_ptr_array_index (c->violations, i);

      if ((guint) v->kind < CASEDB_N_VIOLATIONS)
        mask |= 1u << v->kind;
    }

  return mask;
}

gboolean
casedb_date_valid (const char *s)
{
  guint y, m, d;

  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;

  for (guint i = 0; i < 10; i++)
    {
      if (i == 4 || i == 7)
        continue;
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }

  y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  m = (s[5] - '0') * 10 + (s[6] - '0');
  d = (s[8] - '0') * 10 + (s[9] - '0');

  return y >= 1 && g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static char *
today_string (void)
{
  /* The local time zone costs a stat() and a readlink() of /etc/localtime
   * each time: a tenth of a bulk import validating every case.  The date
   * can only change at a second boundary, so it is kept for that second. */
  static GMutex lock;
  static gint64 cached_second = -1;
  static char cached[sizeof "YYYY-MM-DD"];
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);

  if (second != cached_second)
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (second);
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      g_strlcpy (cached, today, sizeof cached);
      cached_second = second;
    }
  return g_strdup (cached);
}

static void
check_optional_date (GPtrArray *problems, const char *value, const char *field_label)
{
  if (value != NULL && *value != '\0' && !casedb_date_valid (value))
    /* Translators: the first %s is a field name, e.g. "Report date" */
    g_ptr_array_add (problems, g_strdup_printf (_("%s: “%s” is not a valid date (YYYY-MM-DD)"),
                                                field_label, value));
}

static gboolean
is_blank (const char *s)
{
  return s == NULL || *s == '\0';
}

GPtrArray *
casedb_case_validate (const CasedbCase *c)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *today = today_string ();
  gboolean incident_ok = FALSE;

  g_return_val_if_fail (c != NULL, NULL);

  if (is_blank (c->incident_date))
    {
      if (!c->draft)
        g_ptr_array_add (problems, g_strdup (_("Incident date: required")));
    }
  else if (!casedb_date_valid (c->incident_date))
    check_optional_date (problems, c->incident_date, _("Incident date"));
  else if (strcmp (c->incident_date, today) > 0)
    g_ptr_array_add (problems, g_strdup_printf (_("Incident date: %s is after today"),
                                                c->incident_date));
  else
    incident_ok = TRUE;

  if (!is_blank (c->report_date))
    {
      if (!casedb_date_valid (c->report_date))
        check_optional_date (problems, c->report_date, _("Report date"));
      else if (incident_ok && strcmp (c->report_date, c->incident_date) < 0)
        g_ptr_array_add (problems,
                         g_strdup_printf (_("Report date: %s is before the incident date %s"),
                                          c->report_date, c->incident_date));
      else if (strcmp (c->report_date, today) > 0)
        g_ptr_array_add (problems, g_strdup_printf (_("Report date: %s is after today"),
                                                    c->report_date));
    }

  if (c->violations->len == 0 && !c->draft)
    g_ptr_array_add (problems, g_strdup (_("Violations: at least one violation is required")));

  for (guint i = 0; i < c->violations->len; i++)
    {
      const CasedbViolation *v = g_ptr_array_index (c->violations, i);

      if ((guint) v->kind >= CASEDB_N_VIOLATIONS)
        {
          g_ptr_array_add (problems, g_strdup_printf (_("Violation %u: unknown kind"), i + 1));
          continue;
        }

      if (!is_blank (v->subtype) && !casedb_violation_subtype_valid (v->kind, v->subtype))
        g_ptr_array_add (problems,
                         g_strdup_printf (_("Violation %u: subtype “%s” is not a kind of “%s”"),
                                          i + 1, v->subtype, casedb_violation_get_label (v->kind)));

      for (guint j = 0; v->victims != NULL && j < v->victims->len; j++)
        {
          guint idx = g_array_index (v->victims, guint, j);

          if (idx >= c->victims->len)
            g_ptr_array_add (problems,
                             g_strdup_printf (_("Violation %u: links to victim %u, which does not exist"),
                                              i + 1, idx + 1));
        }
    }

  for (guint i = 0; i < c->victims->len; i++)
    {
      const CasedbVictim *v = g_ptr_array_index (c->victims, i);

      if (v->age != -1 && (v->age < 0 || v->age > 17))
        g_ptr_array_add (problems,
                         g_strdup_printf (_("Victim %u: age %d must be between 0 and 17, or unknown"),
                                          i + 1, v->age));
      if ((guint) v->sex > CASEDB_SEX_MALE)
        g_ptr_array_add (problems, g_strdup_printf (_("Victim %u: unknown sex"), i + 1));
    }

  if ((guint) c->verification > CASEDB_VERIFICATION_VERIFIED)
    g_ptr_array_add (problems, g_strdup (_("Verification: unknown value")));
  if ((guint) c->consent.given_by > CASEDB_CONSENT_BY_GUARDIAN)
    g_ptr_array_add (problems, g_strdup (_("Consent given by: unknown value")));
  if ((guint) c->consent.uses >= (1u << CASEDB_N_USES))
    g_ptr_array_add (problems, g_strdup (_("Consent uses: unknown value")));

  check_optional_date (problems, c->consent.date, _("Consent date"));
  check_optional_date (problems, c->consent.retention_review, _("Retention review date"));

  if (problems->len == 0)
    return NULL;

  return g_steal_pointer (&problems);
}
