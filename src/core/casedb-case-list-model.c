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

  /* Position → index into rows, once sorted; NULL: the order appended. */
  guint32     *order;

  /* How many row objects get_item() made. */
  guint64      n_made;

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

static inline const Row *
row_at (CasedbCaseListModel *self,
        guint                position)
{
  return &self->rows[self->order != NULL ? self->order[position] : position];
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
  row = row_at (self, position);
  self->n_made++;
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
  g_clear_pointer (&self->order, g_free);

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

  return row_at (self, position)->id;
}

const char *
casedb_case_list_model_get_code (CasedbCaseListModel *self,
                                 guint                position)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST_MODEL (self), NULL);
  g_return_val_if_fail (position < self->n_rows, NULL);

  return pool_string (self, row_at (self, position)->strings[STR_CODE]);
}

guint64
casedb_case_list_model_get_n_made (CasedbCaseListModel *self)
{
  g_return_val_if_fail (CASEDB_IS_CASE_LIST_MODEL (self), 0);

  return self->n_made;
}

void
casedb_case_list_model_append_from (CasedbCaseListModel *self,
                                    CasedbCaseListModel *source,
                                    guint                position)
{
  const Row *row;

  g_return_if_fail (CASEDB_IS_CASE_LIST_MODEL (self));
  g_return_if_fail (CASEDB_IS_CASE_LIST_MODEL (source));
  /* Appending may move the pool that the strings are read from. */
  g_return_if_fail (self != source);
  g_return_if_fail (position < source->n_rows);

  row = row_at (source, position);
  casedb_case_list_model_append (self,
                                 row->id,
                                 pool_string (source, row->strings[STR_CODE]),
                                 pool_string (source, row->strings[STR_REFERENCE]),
                                 pool_string (source, row->strings[STR_INCIDENT_DATE]),
                                 pool_string (source, row->strings[STR_REGION]),
                                 row->violation_mask,
                                 row->n_victims,
                                 (CasedbVerification) row->verification,
                                 row->draft,
                                 row->needs_followup,
                                 pool_string (source, row->strings[STR_SUMMARY]));
}

/* ---- sorting ---- */

typedef struct
{
  guint32 index;                 /* into rows: the order appended */
  union {
    const char *str;             /* NULL: the row has no such field */
    guint64     num;
  } key;
} SortItem;

typedef enum {
  COMPARE_STRING,
  COMPARE_NUMBER,
  COMPARE_CODE,
} CompareKind;

typedef struct
{
  CompareKind kind;
  int         sign;
} SortContext;

/* The part of @code that casedb_store_list_cases() orders by first:
 * substr(code, 3, 4), counted in characters as SQLite does. */
static const char *
code_year (const char *code,
           gsize      *len)
{
  const char *start = code;
  const char *end;

  for (guint i = 0; i < 2 && *start != '\0'; i++)
    start = g_utf8_next_char (start);
  end = start;
  for (guint i = 0; i < 4 && *end != '\0'; i++)
    end = g_utf8_next_char (end);

  *len = end - start;
  return start;
}

static int
compare_codes (const char *a,
               const char *b)
{
  const char *year_a;
  const char *year_b;
  gsize len_a;
  gsize len_b;
  glong chars_a;
  glong chars_b;
  int r;

  year_a = code_year (a, &len_a);
  year_b = code_year (b, &len_b);
  /* SQLite's BINARY collation: bytes, then the shorter first. */
  r = memcmp (year_a, year_b, MIN (len_a, len_b));
  if (r != 0)
    return r;
  if (len_a != len_b)
    return len_a < len_b ? -1 : 1;

  chars_a = g_utf8_strlen (a, -1);
  chars_b = g_utf8_strlen (b, -1);
  if (chars_a != chars_b)
    return chars_a < chars_b ? -1 : 1;

  return strcmp (a, b);
}

static int
sort_item_compare (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const SortItem *item_a = a;
  const SortItem *item_b = b;
  const SortContext *context = user_data;
  int r = 0;

  switch (context->kind)
    {
    case COMPARE_NUMBER:
      if (item_a->key.num != item_b->key.num)
        r = item_a->key.num < item_b->key.num ? -1 : 1;
      break;

    case COMPARE_STRING:
    case COMPARE_CODE:
      if (item_a->key.str == item_b->key.str)
        r = 0;
      else if (item_a->key.str == NULL)
        r = -1;
      else if (item_b->key.str == NULL)
        r = 1;
      else if (context->kind == COMPARE_CODE)
        r = compare_codes (item_a->key.str, item_b->key.str);
      else
        r = strcmp (item_a->key.str, item_b->key.str);
      break;

    default:
      g_assert_not_reached ();
    }

  if (r != 0)
    return r * context->sign;

  /* Stable in both directions: a tie keeps the order appended. */
  return item_a->index < item_b->index ? -1 : item_a->index > item_b->index;
}

/* The "violations" text of a row, as the list shows it (the row's
 * "violations" property), collated. */
static char *
violations_collate_key (guint mask)
{
  g_autofree char *text = casedb_violation_mask_join (mask, TRUE, ", ");

  return g_utf8_collate_key (text, -1);
}

/* Collation keys of one field, each computed once per distinct pool offset
 * (regions share their offsets), into one chunk freed after the sort. */
static const char *
collate_key (CasedbCaseListModel *self,
             GStringChunk        *keys,
             GHashTable          *by_offset,
             guint32              offset)
{
  g_autofree char *key = NULL;
  const char *stored;

  if (offset == NO_STRING)
    return NULL;

  if (by_offset != NULL
      && (stored = g_hash_table_lookup (by_offset, GUINT_TO_POINTER (offset + 1))) != NULL)
    return stored;

  key = g_utf8_collate_key (self->pool + offset, -1);
  stored = g_string_chunk_insert (keys, key);
  if (by_offset != NULL)
    g_hash_table_insert (by_offset, GUINT_TO_POINTER (offset + 1), (gpointer) stored);
  return stored;
}

void
casedb_case_list_model_sort (CasedbCaseListModel *self,
                             CasedbCaseSortKey    key,
                             gboolean             descending)
{
  g_autoptr(GStringChunk) keys = NULL;
  g_autoptr(GHashTable) by_offset = NULL;
  g_autofree SortItem *items = NULL;
  char *mask_keys[1u << CASEDB_N_VIOLATIONS] = { NULL };
  SortContext context = { COMPARE_STRING, descending ? -1 : 1 };
  gint64 start;

  g_return_if_fail (CASEDB_IS_CASE_LIST_MODEL (self));
  g_return_if_fail (key < CASEDB_N_CASE_SORT_KEYS);

  if (!self->frozen)
    casedb_case_list_model_finish (self);
  if (self->n_rows == 0)
    return;

  start = g_get_monotonic_time ();
  /* Big blocks: given back to the system when the sort is done. */
  keys = g_string_chunk_new (256 * 1024);
  if (key == CASEDB_CASE_SORT_REGION)
    by_offset = g_hash_table_new (NULL, NULL);

  items = g_new (SortItem, self->n_rows);
  for (guint32 i = 0; i < self->n_rows; i++)
    {
      const Row *row = &self->rows[i];
      SortItem *item = &items[i];

      item->index = i;
      switch (key)
        {
        case CASEDB_CASE_SORT_CODE:
          context.kind = COMPARE_CODE;
          item->key.str = pool_string (self, row->strings[STR_CODE]);
          break;

        case CASEDB_CASE_SORT_REFERENCE:
          item->key.str = collate_key (self, keys, NULL, row->strings[STR_REFERENCE]);
          break;

        case CASEDB_CASE_SORT_INCIDENT_DATE:
          /* YYYY-MM-DD: byte order is the calendar's. */
          item->key.str = pool_string (self, row->strings[STR_INCIDENT_DATE]);
          break;

        case CASEDB_CASE_SORT_REGION:
          item->key.str = collate_key (self, keys, by_offset, row->strings[STR_REGION]);
          break;

        case CASEDB_CASE_SORT_VIOLATIONS:
          {
            guint mask = row->violation_mask & (G_N_ELEMENTS (mask_keys) - 1);

            if (mask_keys[mask] == NULL)
              mask_keys[mask] = violations_collate_key (mask);
            item->key.str = mask_keys[mask];
          }
          break;

        case CASEDB_CASE_SORT_VICTIMS:
          context.kind = COMPARE_NUMBER;
          item->key.num = row->n_victims;
          break;

        case CASEDB_CASE_SORT_VERIFICATION:
          context.kind = COMPARE_NUMBER;
          item->key.num = row->verification;
          break;

        case CASEDB_CASE_SORT_DRAFT:
          context.kind = COMPARE_NUMBER;
          item->key.num = row->draft;
          break;

        case CASEDB_N_CASE_SORT_KEYS:
        default:
          g_assert_not_reached ();
        }
    }

  g_qsort_with_data (items, (gint) self->n_rows, sizeof (SortItem), sort_item_compare, &context);

  if (self->order == NULL)
    self->order = g_new (guint32, self->n_rows);
  for (guint32 i = 0; i < self->n_rows; i++)
    self->order[i] = items[i].index;

  for (guint i = 0; i < G_N_ELEMENTS (mask_keys); i++)
    g_free (mask_keys[i]);

  g_debug ("Sorted %u cases in %.0f ms", self->n_rows,
           (g_get_monotonic_time () - start) / 1000.0);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, self->n_rows, self->n_rows);
}
