/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-case-list-model"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-case-list-model.h"
#include "casedb-case-row-private.h"

#define NO_STRING G_MAXUINT32

enum {
  STR_CODE,
  STR_REFERENCE,
  STR_INCIDENT_DATE,
  STR_REGION,
  STR_SUMMARY,
  N_STRINGS
};

/* 40 bytes a case, plus its strings once in the pool. */
typedef struct
{
  gint64   id;
  guint32  strings[N_STRINGS];   /* offsets into the pool, or NO_STRING */
  guint32  n_victims;
  guint16  violation_mask;
  guint8   verification;
  guint8   draft : 1;
  guint8   needs_followup : 1;
} Row;

struct _CasedbCaseListModel
{
  GObject      parent_instance;

  Row         *rows;
  guint        n_rows;
  guint        rows_size;

  char        *pool;
  gsize        pool_len;
  gsize        pool_size;

  /* While filling: the regions seen so far, each kept once in the pool. */
  guint32      regions[16];
  guint        n_regions;

  /* Once rows point into the pool, it must not move. */
  gboolean     frozen;
};

static void casedb_case_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CasedbCaseListModel, casedb_case_list_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      casedb_case_list_model_iface_init))

static inline const char *
pool_string (CasedbCaseListModel *self,
             guint32              offset)
{
  return offset == NO_STRING ? NULL : self->pool + offset;
}

static GType
casedb_case_list_model_get_item_type (GListModel *model)
{
  return CASEDB_TYPE_CASE_ROW;
}

static guint
casedb_case_list_model_get_n_items (GListModel *model)
{
  return CASEDB_CASE_LIST_MODEL (model)->n_rows;
}

static gpointer
casedb_case_list_model_get_item (GListModel *model,
                                 guint       position)
{
  CasedbCaseListModel *self = CASEDB_CASE_LIST_MODEL (model);
  const Row *row;

  if (position >= self->n_rows)
    return NULL;

  if (!self->frozen)
    casedb_case_list_model_finish (self);

  /* Views ask again and again (GTK 4.8 asks for every item each time the
   * list is replaced), so a row copies nothing: it points into the pool. */
  row = &self->rows[position];
  return casedb_case_row_new_borrowed (G_OBJECT (self),
                                       row->id,
                                       pool_string (self, row->strings[STR_CODE]),
                                       pool_string (self, row->strings[STR_REFERENCE]),
                                       pool_string (self, row->strings[STR_INCIDENT_DATE]),
                                       pool_string (self, row->strings[STR_REGION]),
                                       row->violation_mask,
                                       row->n_victims,
                                       (CasedbVerification) row->verification,
                                       row->draft,
                                       row->needs_followup,
                                       pool_string (self, row->strings[STR_SUMMARY]));
}

static void
casedb_case_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = casedb_case_list_model_get_item_type;
  iface->get_n_items = casedb_case_list_model_get_n_items;
  iface->get_item = casedb_case_list_model_get_item;
}

static void
casedb_case_list_model_finalize (GObject *object)
{
  CasedbCaseListModel *self = (CasedbCaseListModel *)object;

  g_clear_pointer (&self->rows, g_free);
  g_clear_pointer (&self->pool, g_free);

  G_OBJECT_CLASS (casedb_case_list_model_parent_class)->finalize (object);
}

static void
casedb_case_list_model_class_init (CasedbCaseListModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = casedb_case_list_model_finalize;
}

static void
casedb_case_list_model_init (CasedbCaseListModel *self)
{
}

/**
 * casedb_case_list_model_new:
 *
 * Returns: (transfer full): an empty model
 */
CasedbCaseListModel *
casedb_case_list_model_new (void)
{
  return g_object_new (CASEDB_TYPE_CASE_LIST_MODEL, NULL);
}

static guint32
pool_add (CasedbCaseListModel *self,
          const char          *str)
{
  gsize len;
  gsize offset;

  if (str == NULL)
    return NO_STRING;

  len = strlen (str) + 1;
  if (self->pool_len + len > self->pool_size)
    {
      self->pool_size = MAX (self->pool_size * 2, MAX (self->pool_len + len, 4096));
      self->pool = g_realloc (self->pool, self->pool_size);
    }
  /* Offsets are 32-bit: 4 GiB of coded text is tens of millions of cases. */
  if (self->pool_len + len >= NO_STRING)
    g_error ("The case list does not fit in memory");

  offset = self->pool_len;
  memcpy (self->pool + offset, str, len);
  self->pool_len += len;
  return (guint32) offset;
}

/* An office has a handful of regions: the first few are stored once (a
 * hash table per row cost a tenth of the listing), any further ones per row. */
static guint32
pool_add_region (CasedbCaseListModel *self,
                 const char          *str)
{
  guint32 offset;

  if (str == NULL)
    return NO_STRING;

  for (guint i = 0; i < self->n_regions; i++)
    if (strcmp (self->pool + self->regions[i], str) == 0)
      return self->regions[i];

  offset = pool_add (self, str);
  if (self->n_regions < G_N_ELEMENTS (self->regions))
    self->regions[self->n_regions++] = offset;
  return offset;
}

void
casedb_case_list_model_append (CasedbCaseListModel *self,
                               gint64               id,
                               const char          *code,
                               const char          *reference,
                               const char          *incident_date,
                               const char          *region,
                               guint                violation_mask,
                               guint                n_victims,
                               CasedbVerification   verification,
                               gboolean             draft,
                               gboolean             needs_followup,
                               const char          *summary)
{
  Row *row;

  g_return_if_fail (CASEDB_IS_CASE_LIST_MODEL (self));
  g_return_if_fail (!self->frozen);
  g_return_if_fail (violation_mask <= G_MAXUINT16);
  g_return_if_fail (verification <= G_MAXUINT8);

  if (self->n_rows == self->rows_size)
    {
      self->rows_size = MAX (self->rows_size * 2, 256);
      self->rows = g_renew (Row, self->rows, self->rows_size);
    }

  row = &self->rows[self->n_rows++];
  row->id = id;
  row->strings[STR_CODE] = pool_add (self, code);
  row->strings[STR_REFERENCE] = pool_add (self, reference);
  row->strings[STR_INCIDENT_DATE] = pool_add (self, incident_date);
  row->strings[STR_REGION] = pool_add_region (self, region);
  row->strings[STR_SUMMARY] = pool_add (self, summary);
  row->n_victims = n_victims;
  row->violation_mask = (guint16) violation_mask;
  row->verification = (guint8) verification;
  row->draft = !!draft;
  row->needs_followup = !!needs_followup;
}

void
casedb_case_list_model_finish (CasedbCaseListModel *self)
{
  g_return_if_fail (CASEDB_IS_CASE_LIST_MODEL (self));

  if (self->frozen)
    return;
  self->frozen = TRUE;
  if (self->rows_size > self->n_rows)
    {
      self->rows_size = self->n_rows;
      self->rows = g_renew (Row, self->rows, self->rows_size);
    }
  if (self->pool_size > self->pool_len)
    {
      self->pool_size = self->pool_len;
      self->pool = g_realloc (self->pool, self->pool_size);
    }
}

gint64
casedb_case_list_model_get_id (CasedbCaseListModel *self,
                               guint                position)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST_MODEL (self), 0);
  g_return_val_if_fail (position < self->n_rows, 0);

  return self->rows[position].id;
}

const char *
casedb_case_list_model_get_code (CasedbCaseListModel *self,
                                 guint                position)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST_MODEL (self), NULL);
  g_return_val_if_fail (position < self->n_rows, NULL);

  return pool_string (self, self->rows[position].strings[STR_CODE]);
}
