/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-case-row"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "casedb-case-row-private.h"

struct _CasedbCaseRow
{
  GObject             parent_instance;

  /* The strings are copies owned by the row, or, with @owner, borrowed
   * from its immutable storage. */
  GObject            *owner;
  gint64              id;
  const char         *code;
  const char         *reference;
  const char         *incident_date;
  const char         *region;
  const char         *summary;
  guint               violation_mask;
  guint               n_victims;
  CasedbVerification  verification;
  guint               draft : 1;
  guint               needs_followup : 1;
};

G_DEFINE_FINAL_TYPE (CasedbCaseRow, casedb_case_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CODE,
  PROP_REFERENCE,
  PROP_INCIDENT_DATE,
  PROP_REGION,
  PROP_VIOLATIONS,
  PROP_VIOLATION_MASK,
  PROP_N_VICTIMS,
  PROP_VERIFICATION,
  PROP_DRAFT,
  PROP_NEEDS_FOLLOWUP,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
casedb_case_row_finalize (GObject *object)
{
  CasedbCaseRow *self = (CasedbCaseRow *)object;

  if (self->owner != NULL)
    g_clear_object (&self->owner);
  else
    {
      g_free ((char *) self->code);
      g_free ((char *) self->reference);
      g_free ((char *) self->incident_date);
      g_free ((char *) self->region);
      g_free ((char *) self->summary);
    }

  G_OBJECT_CLASS (casedb_case_row_parent_class)->finalize (object);
}

static void
casedb_case_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CasedbCaseRow *self = CASEDB_CASE_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_REFERENCE:
      g_value_set_string (value, self->reference);
      break;

    case PROP_INCIDENT_DATE:
      g_value_set_string (value, self->incident_date);
      break;

    case PROP_REGION:
      g_value_set_string (value, self->region);
      break;

    case PROP_VIOLATIONS:
      g_value_take_string (value, casedb_violation_mask_join (self->violation_mask, TRUE, ", "));
      break;

    case PROP_VIOLATION_MASK:
      g_value_set_uint (value, self->violation_mask);
      break;

    case PROP_N_VICTIMS:
      g_value_set_uint (value, self->n_victims);
      break;

    case PROP_VERIFICATION:
      g_value_set_string (value, casedb_verification_get_label (self->verification));
      break;

    case PROP_DRAFT:
      g_value_set_boolean (value, self->draft);
      break;

    case PROP_NEEDS_FOLLOWUP:
      g_value_set_boolean (value, self->needs_followup);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
casedb_case_row_class_init (CasedbCaseRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = casedb_case_row_finalize;
  object_class->get_property = casedb_case_row_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_REFERENCE] =
    g_param_spec_string ("reference", NULL, NULL, NULL, flags);
  properties[PROP_INCIDENT_DATE] =
    g_param_spec_string ("incident-date", NULL, NULL, NULL, flags);
  properties[PROP_REGION] =
    g_param_spec_string ("region", NULL, NULL, NULL, flags);
  properties[PROP_VIOLATIONS] =
    g_param_spec_string ("violations", NULL, NULL, NULL, flags);
  properties[PROP_VIOLATION_MASK] =
    g_param_spec_uint ("violation-mask", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_VICTIMS] =
    g_param_spec_uint ("n-victims", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_VERIFICATION] =
    g_param_spec_string ("verification", NULL, NULL, NULL, flags);
  properties[PROP_DRAFT] =
    g_param_spec_boolean ("draft", NULL, NULL, FALSE, flags);
  properties[PROP_NEEDS_FOLLOWUP] =
    g_param_spec_boolean ("needs-followup", NULL, NULL, FALSE, flags);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
casedb_case_row_init (CasedbCaseRow *self)
{
}

static CasedbCaseRow *
case_row_new (gint64              id,
              guint               violation_mask,
              guint               n_victims,
              CasedbVerification  verification,
              gboolean            draft,
              gboolean            needs_followup)
{
  CasedbCaseRow *self = g_object_new (CASEDB_TYPE_CASE_ROW, NULL);

  self->id = id;
  self->violation_mask = violation_mask;
  self->n_victims = n_victims;
  self->verification = verification;
  self->draft = !!draft;
  self->needs_followup = !!needs_followup;

  return self;
}

/**
 * casedb_case_row_new:
 *
 * Returns: (transfer full): a row holding coded fields only
 */
CasedbCaseRow *
casedb_case_row_new (gint64              id,
                     const char         *code,
                     const char         *reference,
                     const char         *incident_date,
                     const char         *region,
                     guint               violation_mask,
                     guint               n_victims,
                     CasedbVerification  verification,
                     gboolean            draft,
                     gboolean            needs_followup,
                     const char         *summary)
{
  CasedbCaseRow *self = case_row_new (id, violation_mask, n_victims, verification, draft,
                                      needs_followup);

  self->code = g_strdup (code);
  self->reference = g_strdup (reference);
  self->incident_date = g_strdup (incident_date);
  self->region = g_strdup (region);
  self->summary = g_strdup (summary);

  return self;
}

/**
 * casedb_case_row_new_borrowed:
 *
 * Returns: (transfer full): a row pointing into @owner's strings
 */
CasedbCaseRow *
casedb_case_row_new_borrowed (GObject            *owner,
                              gint64              id,
                              const char         *code,
                              const char         *reference,
                              const char         *incident_date,
                              const char         *region,
                              guint               violation_mask,
                              guint               n_victims,
                              CasedbVerification  verification,
                              gboolean            draft,
                              gboolean            needs_followup,
                              const char         *summary)
{
  CasedbCaseRow *self;

  g_return_val_if_fail (G_IS_OBJECT (owner), NULL);

  self = case_row_new (id, violation_mask, n_victims, verification, draft, needs_followup);
  self->owner = g_object_ref (owner);
  self->code = code;
  self->reference = reference;
  self->incident_date = incident_date;
  self->region = region;
  self->summary = summary;

  return self;
}

gint64
casedb_case_row_get_id (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), 0);
  return self->id;
}

const char *
casedb_case_row_get_code (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return self->code;
}

const char *
casedb_case_row_get_reference (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return self->reference;
}

const char *
casedb_case_row_get_incident_date (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return self->incident_date;
}

const char *
casedb_case_row_get_region (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return self->region;
}

guint
casedb_case_row_get_violation_mask (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), 0);
  return self->violation_mask;
}

/**
 * casedb_case_row_dup_violation_keys:
 *
 * Returns: (transfer full): the violation keys joined by ";"
 */
char *
casedb_case_row_dup_violation_keys (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return casedb_violation_mask_join (self->violation_mask, FALSE, ";");
}

guint
casedb_case_row_get_n_victims (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), 0);
  return self->n_victims;
}

CasedbVerification
casedb_case_row_get_verification (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), CASEDB_VERIFICATION_UNVERIFIED);
  return self->verification;
}

gboolean
casedb_case_row_get_draft (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), FALSE);
  return self->draft;
}

gboolean
casedb_case_row_get_needs_followup (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), FALSE);
  return self->needs_followup;
}

const char *
casedb_case_row_get_summary (CasedbCaseRow *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_ROW (self), NULL);
  return self->summary;
}
