/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-import"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "casedb-csv.h"
#include "casedb-error.h"
#include "casedb-import.h"
#include "casedb-secure.h"

/*
 * The import format: one row per victim per violation.
 *
 * Columns are matched by header name, in any order.  The required ones must
 * be in the header (a value may still be empty where the rules allow it);
 * the optional ones may be left out of the header altogether.  Identity
 * columns (victim_name, location_detail, narrative) and the real names that
 * perpetrator_party and source_code may carry are copied to secure memory
 * only, and their values never appear in a message: a problem report may be
 * read over a shoulder, pasted into a ticket or logged.
 */

typedef enum {
  COL_CASE_REF,
  COL_INCIDENT_DATE,
  COL_REPORT_DATE,
  COL_REGION,
  COL_LOCATION_DETAIL,
  COL_VIOLATION,
  COL_SUBTYPE,
  COL_VICTIM_NAME,
  COL_VICTIM_SEX,
  COL_VICTIM_AGE,
  COL_PERPETRATOR_PARTY,
  COL_SOURCE_CODE,
  COL_VERIFICATION,
  COL_SUMMARY,
  COL_NARRATIVE,
  COL_CONSENT_BY,
  COL_CONSENT_STATISTICS,
  COL_CONSENT_SHARE_UN,
  COL_CONSENT_SHARE_IDENTITY,
  COL_CONSENT_REFERRAL,
  COL_CONSENT_FOLLOWUP,
  N_COLUMNS
} Column;

enum {
  COLUMN_REQUIRED   = 1 << 0,
  COLUMN_CASE_LEVEL = 1 << 1,   /* every row of a case must agree */
  COLUMN_SECRET     = 1 << 2,   /* secure memory, value never shown */
  COLUMN_VERBATIM   = 1 << 3,   /* not trimmed */
};

static const struct {
  const char *name;
  guint       flags;
  guint       use;   /* CasedbConsentUses for the consent_* columns */
} columns[N_COLUMNS] = {
  [COL_CASE_REF]               = { "case_ref", COLUMN_REQUIRED },
  [COL_INCIDENT_DATE]          = { "incident_date", COLUMN_REQUIRED | COLUMN_CASE_LEVEL },
  [COL_REPORT_DATE]            = { "report_date", COLUMN_CASE_LEVEL },
  [COL_REGION]                 = { "region", COLUMN_REQUIRED | COLUMN_CASE_LEVEL },
  [COL_LOCATION_DETAIL]        = { "location_detail", COLUMN_CASE_LEVEL | COLUMN_SECRET },
  [COL_VIOLATION]              = { "violation", COLUMN_REQUIRED },
  [COL_SUBTYPE]                = { "subtype", 0 },
  [COL_VICTIM_NAME]            = { "victim_name", COLUMN_SECRET },
  [COL_VICTIM_SEX]             = { "victim_sex", 0 },
  [COL_VICTIM_AGE]             = { "victim_age", 0 },
  [COL_PERPETRATOR_PARTY]      = { "perpetrator_party", COLUMN_SECRET },
  [COL_SOURCE_CODE]            = { "source_code", COLUMN_CASE_LEVEL | COLUMN_SECRET },
  [COL_VERIFICATION]           = { "verification", COLUMN_REQUIRED | COLUMN_CASE_LEVEL },
  [COL_SUMMARY]                = { "summary", COLUMN_CASE_LEVEL },
  [COL_NARRATIVE]              = { "narrative", COLUMN_CASE_LEVEL | COLUMN_SECRET | COLUMN_VERBATIM },
  [COL_CONSENT_BY]             = { "consent_by", COLUMN_REQUIRED | COLUMN_CASE_LEVEL },
  [COL_CONSENT_STATISTICS]     = { "consent_statistics", COLUMN_REQUIRED | COLUMN_CASE_LEVEL,
                                   CASEDB_USE_STATISTICS },
  [COL_CONSENT_SHARE_UN]       = { "consent_share_un", COLUMN_REQUIRED | COLUMN_CASE_LEVEL,
                                   CASEDB_USE_SHARE_UN },
  [COL_CONSENT_SHARE_IDENTITY] = { "consent_share_identity", COLUMN_REQUIRED | COLUMN_CASE_LEVEL,
                                   CASEDB_USE_SHARE_IDENTITY },
  [COL_CONSENT_REFERRAL]       = { "consent_referral", COLUMN_REQUIRED | COLUMN_CASE_LEVEL,
                                   CASEDB_USE_REFERRAL },
  [COL_CONSENT_FOLLOWUP]       = { "consent_followup", COLUMN_REQUIRED | COLUMN_CASE_LEVEL,
                                   CASEDB_USE_FOLLOWUP },
};

/* A file with thousands of bad rows is one mistake repeated; a list that
 * long helps nobody and costs memory. */
#define MAX_PROBLEMS 200

/* Longest value quoted back in a message, in characters. */
#define MAX_ECHO 40

/* A perpetrator or source given by name: mapped to a code at store time. */
typedef struct {
  guint  case_index;
  int    violation_index;   /* -1: the case's source */
  char   kind;              /* 'P' or 'M' */
  char  *name;              /* secure memory */
} PendingName;

static void
pending_name_free (PendingName *p)
{
  casedb_secure_free (p->name);
  g_free (p);
}

typedef struct {
  guint        index;                 /* in ImportResult.cases */
  guint        first_line;
  char        *values[N_COLUMNS];     /* case-level values of the first row */
  GHashTable  *violations;            /* secure key -> index + 1 */
  GHashTable  *victims;               /* secure key -> index + 1 */
} CaseBuilder;

static void
case_builder_free (CaseBuilder *b)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      if (columns[i].flags & COLUMN_SECRET)
        casedb_secure_free (b->values[i]);
      else
        g_free (b->values[i]);
    }
  g_hash_table_unref (b->violations);
  g_hash_table_unref (b->victims);
  g_free (b);
}

typedef struct {
  char       *basename;
  GPtrArray  *problems;       /* CasedbImportProblem */
  GPtrArray  *cases;          /* CasedbCase */
  GArray     *first_lines;    /* guint, per case */
  GPtrArray  *names;          /* PendingName */
  GHashTable *builders;       /* case_ref -> CaseBuilder */
  int         map[N_COLUMNS]; /* column -> field index, or -1 */
  guint       n_fields;
  gboolean    stopped;
} ImportResult;

static void
import_result_free (ImportResult *r)
{
  g_free (r->basename);
  g_clear_pointer (&r->problems, g_ptr_array_unref);
  g_clear_pointer (&r->cases, g_ptr_array_unref);
  g_clear_pointer (&r->first_lines, g_array_unref);
  g_clear_pointer (&r->names, g_ptr_array_unref);
  g_clear_pointer (&r->builders, g_hash_table_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportResult, import_result_free)

void
casedb_import_problem_free (CasedbImportProblem *p)
{
  if (p == NULL)
    return;
  g_free (p->column);
  g_free (p->message);
  g_free (p);
}

static void
add_problem_take (ImportResult *r, guint line, Column column, char *message)
{
  CasedbImportProblem *p;

  if (r->problems->len >= MAX_PROBLEMS)
    {
      g_free (message);
      return;
    }

  p = g_new0 (CasedbImportProblem, 1);
  p->line = line;
  p->column = (int) column >= 0 ? g_strdup (columns[column].name) : NULL;
  p->message = message;
  g_ptr_array_add (r->problems, p);

  if (r->problems->len == MAX_PROBLEMS)
    {
      p = g_new0 (CasedbImportProblem, 1);
      p->line = line;
      p->message = g_strdup_printf (_("More than %d problems; checking stopped here"),
                                    MAX_PROBLEMS);
      g_ptr_array_add (r->problems, p);
      r->stopped = TRUE;
    }
}

#define NO_COLUMN ((Column) -1)

/* The value as it may appear in a message: shortened, control characters
 * replaced.  Never called for a secret column. */
static char *
echo_value (Column column, const char *value)
{
  g_autofree char *cut = NULL;
  GString *s;

  g_assert (!(columns[column].flags & COLUMN_SECRET));

  cut = g_utf8_substring (value, 0, MIN (g_utf8_strlen (value, -1), MAX_ECHO));
  s = g_string_new (NULL);
  for (const char *p = cut; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (s, ' ');
      else
        g_string_append_unichar (s, c);
    }
  if (g_utf8_strlen (value, -1) > MAX_ECHO)
    g_string_append (s, "…");
  return g_string_free (s, FALSE);
}

/* "@what (“value”)" for a bad value of a non-secret column. */
static void
add_value_problem (ImportResult *r, guint line, Column column, const char *what,
                   const char *value)
{
  g_autofree char *shown = echo_value (column, value);

  /* TRANSLATORS: the first %s says what is wrong, the second is the value */
  add_problem_take (r, line, column, g_strdup_printf (_("%s (“%s”)"), what, shown));
}

static gboolean
is_code (const char *value, char kind)
{
  if (value[0] != kind || value[1] != '-' || value[2] == '\0')
    return FALSE;
  for (const char *p = value + 2; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && !g_ascii_isupper (*p) && *p != '-')
        return FALSE;
    }
  return TRUE;
}

static char *
violation_keys_list (void)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k < CASEDB_N_VIOLATIONS; k++)
    {
      if (k > 0)
        g_string_append (s, ", ");
      g_string_append (s, casedb_violation_to_key (k));
    }
  return g_string_free (s, FALSE);
}

static char *
subtypes_list (CasedbViolationKind kind)
{
  const char * const *subtypes = casedb_violation_get_subtypes (kind);

  return g_strjoinv (", ", (char **) subtypes);
}

/* ---- header ---- */

static gboolean
read_header (ImportResult *r, CasedbCsvReader *reader)
{
  guint line = casedb_csv_reader_get_line (reader);
  gboolean ok = TRUE;
  gboolean looks_like_data = TRUE;

  r->n_fields = casedb_csv_reader_get_n_fields (reader);
  for (guint c = 0; c < N_COLUMNS; c++)
    r->map[c] = -1;

  /* A file without a header row would have its first case as "column
   * names", and unknown names are quoted back: refuse it without quoting. */
  for (guint i = 0; i < r->n_fields; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (casedb_csv_reader_get_field (reader, i)));

      for (guint c = 0; c < N_COLUMNS; c++)
        looks_like_data &= g_ascii_strcasecmp (name, columns[c].name) != 0;
    }
  if (looks_like_data)
    {
      add_problem_take (r, line, NO_COLUMN,
                        g_strdup (_("The first line is not a header row: it must name the columns "
                                    "(case_ref, incident_date, …)")));
      return FALSE;
    }

  for (guint i = 0; i < r->n_fields; i++)
    {
      g_autofree char *name = g_strstrip (g_strdup (casedb_csv_reader_get_field (reader, i)));
      gboolean found = FALSE;

      for (guint c = 0; c < N_COLUMNS; c++)
        {
          if (g_ascii_strcasecmp (name, columns[c].name) != 0)
            continue;
          found = TRUE;
          if (r->map[c] >= 0)
            {
              add_problem_take (r, line, c, g_strdup (_("The column appears twice in the header")));
              ok = FALSE;
            }
          r->map[c] = i;
        }

      if (!found)
        {
          g_autofree char *shown = g_utf8_make_valid (name, -1);
          CasedbImportProblem *p = g_new0 (CasedbImportProblem, 1);

          /* The problem names an unknown column: not one of ours, so
           * add_problem_take() cannot be used. */
          p->line = line;
          p->column = g_utf8_substring (shown, 0, MIN (g_utf8_strlen (shown, -1), MAX_ECHO));
          p->message = g_strdup (_("Not a known column name; see the import format"));
          if (r->problems->len < MAX_PROBLEMS)
            g_ptr_array_add (r->problems, p);
          else
            casedb_import_problem_free (p);
          ok = FALSE;
        }
    }

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if ((columns[c].flags & COLUMN_REQUIRED) && r->map[c] < 0)
        {
          add_problem_take (r, line, c, g_strdup (_("A required column is missing from the header")));
          ok = FALSE;
        }
    }

  return ok;
}

/* ---- rows ---- */

typedef struct {
  char                *values[N_COLUMNS];   /* trimmed; secret ones in secure memory */
  CasedbViolationKind  kind;
  CasedbSex            sex;
  int                  age;
  gboolean             has_victim;
  guint                uses;
  CasedbConsentBy      consent_by;
  CasedbVerification   verification;
} Row;

static void
row_clear (Row *row)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      if (columns[i].flags & COLUMN_SECRET)
        casedb_secure_free (row->values[i]);
      else
        g_free (row->values[i]);
      row->values[i] = NULL;
    }
}

static char *
copy_field (ImportResult *r, CasedbCsvReader *reader, Column column)
{
  const char *field = "";
  gsize len = 0;
  gsize start = 0;

  if (r->map[column] >= 0)
    {
      field = casedb_csv_reader_get_field (reader, r->map[column]);
      len = casedb_csv_reader_get_field_len (reader, r->map[column]);
    }

  if (!(columns[column].flags & COLUMN_VERBATIM))
    {
      while (start < len && g_ascii_isspace (field[start]))
        start++;
      while (len > start && g_ascii_isspace (field[len - 1]))
        len--;
    }

  if (columns[column].flags & COLUMN_SECRET)
    return casedb_secure_strndup (field + start, len - start);
  return g_strndup (field + start, len - start);
}

static gboolean
parse_yes_no (const char *value, gboolean *out)
{
  if (g_strcmp0 (value, "yes") == 0)
    *out = TRUE;
  else if (g_strcmp0 (value, "no") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

/* Checks every column of @row; returns FALSE if any problem was added. */
static gboolean
check_row (ImportResult *r, guint line, Row *row)
{
  guint before = r->problems->len;
  const char *v;
  gboolean kind_ok;

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if ((columns[c].flags & COLUMN_REQUIRED) && row->values[c][0] == '\0')
        add_problem_take (r, line, c, g_strdup (_("A value is required")));
    }

  v = row->values[COL_INCIDENT_DATE];
  if (v[0] != '\0' && !casedb_date_valid (v))
    add_value_problem (r, line, COL_INCIDENT_DATE,
                       _("Not a valid date in the form YYYY-MM-DD"), v);
  v = row->values[COL_REPORT_DATE];
  if (v[0] != '\0' && !casedb_date_valid (v))
    add_value_problem (r, line, COL_REPORT_DATE,
                       _("Not a valid date in the form YYYY-MM-DD"), v);

  v = row->values[COL_VIOLATION];
  kind_ok = casedb_violation_from_key (v, &row->kind);
  if (v[0] != '\0' && !kind_ok)
    {
      g_autofree char *keys = violation_keys_list ();
      g_autofree char *what = g_strdup_printf (_("Not one of the violation keys %s"), keys);

      add_value_problem (r, line, COL_VIOLATION, what, v);
    }

  v = row->values[COL_SUBTYPE];
  if (kind_ok && v[0] != '\0' && !casedb_violation_subtype_valid (row->kind, v))
    {
      const char * const *subtypes = casedb_violation_get_subtypes (row->kind);

      if (subtypes == NULL || subtypes[0] == NULL)
        {
          g_autofree char *what =
            g_strdup_printf (_("The violation %s has no subtypes; leave the subtype empty"),
                             casedb_violation_to_key (row->kind));

          add_value_problem (r, line, COL_SUBTYPE, what, v);
        }
      else
        {
          g_autofree char *list = subtypes_list (row->kind);
          g_autofree char *what =
            g_strdup_printf (_("Not a subtype of %s; use one of %s, or leave it empty"),
                             casedb_violation_to_key (row->kind), list);

          add_value_problem (r, line, COL_SUBTYPE, what, v);
        }
    }

  /* The victim: name and sex both empty means no individual victim. */
  row->sex = CASEDB_SEX_UNKNOWN;
  row->age = -1;
  row->has_victim = row->values[COL_VICTIM_NAME][0] != '\0'
                    || row->values[COL_VICTIM_SEX][0] != '\0';
  v = row->values[COL_VICTIM_SEX];
  if (v[0] != '\0')
    {
      if (!casedb_sex_from_key (v, &row->sex))
        add_value_problem (r, line, COL_VICTIM_SEX, _("Must be female, male or unknown"), v);
    }
  else if (row->has_victim)
    add_problem_take (r, line, COL_VICTIM_SEX,
                      g_strdup (_("Required when a victim name is given: female, male or unknown")));

  v = row->values[COL_VICTIM_AGE];
  if (v[0] != '\0')
    {
      guint64 age = 0;

      if (!g_ascii_string_to_unsigned (v, 10, 0, 17, &age, NULL))
        add_value_problem (r, line, COL_VICTIM_AGE,
                           _("Must be a whole number from 0 to 17, or empty"), v);
      else if (!row->has_victim)
        add_problem_take (r, line, COL_VICTIM_AGE,
                          g_strdup (_("An age is given but no victim (victim_name and victim_sex are empty)")));
      else
        row->age = (int) age;
    }

  v = row->values[COL_VERIFICATION];
  if (v[0] != '\0' && !casedb_verification_from_key (v, &row->verification))
    add_value_problem (r, line, COL_VERIFICATION,
                       _("Must be verified, unverified or pending"), v);

  v = row->values[COL_CONSENT_BY];
  if (v[0] != '\0' && !casedb_consent_by_from_key (v, &row->consent_by))
    add_value_problem (r, line, COL_CONSENT_BY,
                       _("Must be victim, parent, guardian or none"), v);

  row->uses = 0;
  for (guint c = COL_CONSENT_STATISTICS; c <= COL_CONSENT_FOLLOWUP; c++)
    {
      gboolean yes = FALSE;

      v = row->values[c];
      if (v[0] == '\0')
        continue;
      if (!parse_yes_no (v, &yes))
        add_value_problem (r, line, c, _("Must be yes or no"), v);
      else if (yes)
        row->uses |= columns[c].use;
    }

  return r->problems->len == before;
}

/* Sets the case-level fields of @c from a checked row. */
static void
fill_case (ImportResult *r, CasedbCase *c, Row *row, guint case_index)
{
  const char *source = row->values[COL_SOURCE_CODE];

  c->reference = g_strdup (row->values[COL_CASE_REF]);
  c->incident_date = g_strdup (row->values[COL_INCIDENT_DATE]);
  if (row->values[COL_REPORT_DATE][0] != '\0')
    c->report_date = g_strdup (row->values[COL_REPORT_DATE]);
  c->region = g_strdup (row->values[COL_REGION]);
  if (row->values[COL_LOCATION_DETAIL][0] != '\0')
    c->location_detail = casedb_secure_strdup (row->values[COL_LOCATION_DETAIL]);
  c->verification = row->verification;
  if (row->values[COL_SUMMARY][0] != '\0')
    c->summary = g_strdup (row->values[COL_SUMMARY]);
  if (row->values[COL_NARRATIVE][0] != '\0')
    c->narrative = casedb_secure_strdup (row->values[COL_NARRATIVE]);
  c->consent.given_by = row->consent_by;
  c->consent.uses = row->uses;
  c->has_identities = TRUE;
  c->draft = FALSE;

  if (is_code (source, 'M'))
    c->source_code = g_strdup (source);
  else if (source[0] != '\0')
    {
      PendingName *p = g_new0 (PendingName, 1);

      p->case_index = case_index;
      p->violation_index = -1;
      p->kind = 'M';
      p->name = casedb_secure_strdup (source);
      g_ptr_array_add (r->names, p);
    }
}

/* A key for a hash table, in secure memory: the parts joined by U+001F. */
static char *
secure_key (const char *a, const char *b, const char *c)
{
  gsize la = strlen (a), lb = strlen (b), lc = strlen (c);
  char *key = casedb_secure_alloc (la + lb + lc + 3);

  memcpy (key, a, la);
  key[la] = '\x1f';
  memcpy (key + la + 1, b, lb);
  key[la + 1 + lb] = '\x1f';
  memcpy (key + la + lb + 2, c, lc);
  return key;
}

static void
add_row_to_case (ImportResult *r, CaseBuilder *b, Row *row)
{
  CasedbCase *c = g_ptr_array_index (r->cases, b->index);
  const char *party = row->values[COL_PERPETRATOR_PARTY];
  char kind_str[16];
  char age_str[16];
  char *key;
  gpointer found;
  guint violation_index;
  CasedbViolation *violation;

  g_snprintf (kind_str, sizeof kind_str, "%d", (int) row->kind);
  key = secure_key (kind_str, row->values[COL_SUBTYPE], party);
  if ((found = g_hash_table_lookup (b->violations, key)) != NULL)
    {
      violation_index = GPOINTER_TO_UINT (found) - 1;
      casedb_secure_free (key);
    }
  else
    {
      violation = casedb_case_add_violation (c, row->kind);
      if (row->values[COL_SUBTYPE][0] != '\0')
        violation->subtype = g_strdup (row->values[COL_SUBTYPE]);
      violation_index = c->violations->len - 1;
      if (is_code (party, 'P'))
        violation->perpetrator_code = g_strdup (party);
      else if (party[0] != '\0')
        {
          PendingName *p = g_new0 (PendingName, 1);

          p->case_index = b->index;
          p->violation_index = violation_index;
          p->kind = 'P';
          p->name = casedb_secure_strdup (party);
          g_ptr_array_add (r->names, p);
        }
      g_hash_table_insert (b->violations, key, GUINT_TO_POINTER (violation_index + 1));
    }
  violation = g_ptr_array_index (c->violations, violation_index);

  if (row->has_victim)
    {
      guint victim_index;
      gboolean linked = FALSE;

      g_snprintf (age_str, sizeof age_str, "%d", row->age);
      key = secure_key (row->values[COL_VICTIM_NAME], casedb_sex_to_key (row->sex), age_str);
      if ((found = g_hash_table_lookup (b->victims, key)) != NULL)
        {
          victim_index = GPOINTER_TO_UINT (found) - 1;
          casedb_secure_free (key);
        }
      else
        {
          CasedbVictim *victim = casedb_case_add_victim (c);

          victim->sex = row->sex;
          victim->age = row->age;
          if (row->values[COL_VICTIM_NAME][0] != '\0')
            victim->name = casedb_secure_strdup (row->values[COL_VICTIM_NAME]);
          victim_index = c->victims->len - 1;
          g_hash_table_insert (b->victims, key, GUINT_TO_POINTER (victim_index + 1));
        }

      if (violation->victims == NULL)
        violation->victims = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint i = 0; i < violation->victims->len; i++)
        linked |= g_array_index (violation->victims, guint, i) == victim_index;
      if (!linked)
        g_array_append_val (violation->victims, victim_index);
    }
}

/* Case-level columns must be the same on every row of a case. */
static void
check_agreement (ImportResult *r, CaseBuilder *b, guint line, Row *row)
{
  for (guint col = 0; col < N_COLUMNS; col++)
    {
      if (!(columns[col].flags & COLUMN_CASE_LEVEL))
        continue;
      if (g_strcmp0 (b->values[col], row->values[col]) == 0)
        continue;
      /* Neither value is shown: some of these columns are identities. */
      add_problem_take (r, line, col,
                        g_strdup_printf (_("Lines %u and %u give different values for the same case_ref; "
                                           "every row of a case must agree on this column"),
                                         b->first_line, line));
    }
}

static void
handle_row (ImportResult *r, CasedbCsvReader *reader)
{
  guint line = casedb_csv_reader_get_line (reader);
  guint n_fields = casedb_csv_reader_get_n_fields (reader);
  Row row = { { NULL, }, };
  gboolean row_ok;
  CaseBuilder *b;

  if (n_fields != r->n_fields)
    {
      add_problem_take (r, line, NO_COLUMN,
                        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                      "The row has %u field but the header has %u",
                                                      "The row has %u fields but the header has %u",
                                                      n_fields),
                                         n_fields, r->n_fields));
      return;
    }

  for (guint c = 0; c < N_COLUMNS; c++)
    row.values[c] = copy_field (r, reader, c);

  row_ok = check_row (r, line, &row);

  if (row.values[COL_CASE_REF][0] == '\0')
    {
      row_clear (&row);
      return;
    }

  b = g_hash_table_lookup (r->builders, row.values[COL_CASE_REF]);
  if (b == NULL)
    {
      CasedbCase *c = casedb_case_new ();

      b = g_new0 (CaseBuilder, 1);
      b->index = r->cases->len;
      b->first_line = line;
      b->violations = g_hash_table_new_full (g_str_hash, g_str_equal, casedb_secure_free, NULL);
      b->victims = g_hash_table_new_full (g_str_hash, g_str_equal, casedb_secure_free, NULL);
      for (guint col = 0; col < N_COLUMNS; col++)
        {
          if (!(columns[col].flags & COLUMN_CASE_LEVEL))
            continue;
          if (columns[col].flags & COLUMN_SECRET)
            b->values[col] = casedb_secure_strdup (row.values[col]);
          else
            b->values[col] = g_strdup (row.values[col]);
        }
      g_ptr_array_add (r->cases, c);
      g_array_append_val (r->first_lines, line);
      g_hash_table_insert (r->builders, g_strdup (row.values[COL_CASE_REF]), b);
      if (row_ok)
        fill_case (r, c, &row, b->index);
    }
  else
    check_agreement (r, b, line, &row);

  /* Rows with problems are not assembled; the whole file is refused anyway. */
  if (row_ok && r->problems->len == 0)
    add_row_to_case (r, b, &row);

  row_clear (&row);
}

static ImportResult *
import_parse (const char *data, gsize len, const char *filename)
{
  g_autoptr(ImportResult) r = g_new0 (ImportResult, 1);
  g_autoptr(CasedbCsvReader) reader = casedb_csv_reader_new (data, len);
  g_autoptr(GError) csv_error = NULL;
  guint n_rows = 0;

  r->basename = g_path_get_basename (filename != NULL ? filename : _("(import)"));
  r->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_import_problem_free);
  r->cases = g_ptr_array_new_with_free_func ((GDestroyNotify) casedb_case_free);
  r->first_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  r->names = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_name_free);
  r->builders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) case_builder_free);

  if (!casedb_csv_reader_next (reader, &csv_error))
    {
      if (csv_error != NULL)
        add_problem_take (r, casedb_csv_reader_get_line (reader), NO_COLUMN,
                          g_strdup (csv_error->message));
      else
        add_problem_take (r, 1, NO_COLUMN, g_strdup (_("The file is empty")));
      return g_steal_pointer (&r);
    }

  if (!read_header (r, reader))
    return g_steal_pointer (&r);

  while (!r->stopped && casedb_csv_reader_next (reader, &csv_error))
    {
      handle_row (r, reader);
      n_rows++;
    }
  if (csv_error != NULL)
    add_problem_take (r, casedb_csv_reader_get_line (reader), NO_COLUMN,
                      g_strdup (csv_error->message));
  else if (n_rows == 0)
    add_problem_take (r, casedb_csv_reader_get_line (reader), NO_COLUMN,
                      g_strdup (_("The file has a header but no case rows")));

  if (r->problems->len > 0)
    return g_steal_pointer (&r);

  for (guint i = 0; i < r->cases->len; i++)
    {
      g_autoptr(GPtrArray) invalid = casedb_case_validate (g_ptr_array_index (r->cases, i));

      for (guint j = 0; invalid != NULL && j < invalid->len; j++)
        add_problem_take (r, g_array_index (r->first_lines, guint, i), NO_COLUMN,
                          g_strdup (g_ptr_array_index (invalid, j)));
    }

  return g_steal_pointer (&r);
}

static void
set_error_from_problem (GError **error, int code, const char *basename,
                        const CasedbImportProblem *p)
{
  if (p->column != NULL)
    /* TRANSLATORS: file name, line number, column name, what is wrong */
    g_set_error (error, CASEDB_ERROR, code, _("%s:%u: column “%s”: %s"),
                 basename, p->line, p->column, p->message);
  else
    /* TRANSLATORS: file name, line number, what is wrong */
    g_set_error (error, CASEDB_ERROR, code, _("%s:%u: %s"), basename, p->line, p->message);
}

/**
 * casedb_import_parse_csv:
 *
 * Perpetrator and source values that are names (not P-…/M-… codes) are left
 * out of the returned cases (perpetrator_code/source_code NULL): names stay in
 * secure memory and reach the store only through casedb_import_csv_file().
 * @problems (out, optional, transfer full): every problem found, empty if none.
 */
GPtrArray *
casedb_import_parse_csv (const char *data, gsize len, const char *filename,
                         GPtrArray **problems, GError **error)
{
  g_autoptr(ImportResult) r = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r = import_parse (data, len, filename);
  ok = r->problems->len == 0;

  if (!ok)
    set_error_from_problem (error, CASEDB_ERROR_INVALID_INPUT, r->basename,
                            g_ptr_array_index (r->problems, 0));
  if (problems != NULL)
    *problems = g_steal_pointer (&r->problems);

  return ok ? g_steal_pointer (&r->cases) : NULL;
}

/* Maps the names in @r->names to code-book codes; one lookup per distinct name. */
static gboolean
map_names (CasedbStore *store, ImportResult *r, GError **error)
{
  g_autoptr(GHashTable) cache = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                       casedb_secure_free, g_free);

  for (guint i = 0; i < r->names->len; i++)
    {
      PendingName *p = g_ptr_array_index (r->names, i);
      CasedbCase *c = g_ptr_array_index (r->cases, p->case_index);
      char kind[2] = { p->kind, '\0' };
      char *key = secure_key (kind, p->name, "");
      const char *code = g_hash_table_lookup (cache, key);

      if (code == NULL)
        {
          char *new_code = casedb_store_code_for_name (store, p->kind, p->name, error);

          if (new_code == NULL)
            {
              casedb_secure_free (key);
              return FALSE;
            }
          g_hash_table_insert (cache, key, new_code);
          code = new_code;
        }
      else
        casedb_secure_free (key);

      if (p->violation_index < 0)
        {
          g_free (c->source_code);
          c->source_code = g_strdup (code);
        }
      else
        {
          CasedbViolation *v = g_ptr_array_index (c->violations, p->violation_index);

          g_free (v->perpetrator_code);
          v->perpetrator_code = g_strdup (code);
        }
    }

  return TRUE;
}

gboolean
casedb_import_csv_file (CasedbStore *store, const char *path, guint *n_cases, GError **error)
{
  g_autoptr(ImportResult) r = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *detail = NULL;
  gsize len = 0;
  gboolean can_verify;

  g_return_val_if_fail (CASEDB_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_cases != NULL)
    *n_cases = 0;

  if (!casedb_store_require (store, CASEDB_PERM_EDIT_CASES, error))
    return FALSE;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CASEDB_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                   ? CASEDB_ERROR_NOT_FOUND : CASEDB_ERROR_IO,
                   _("Cannot read the import file “%s”: %s"), display, local_error->message);
      return FALSE;
    }

  r = import_parse (contents, len, path);
  /* Every identity from the file is now in secure memory or gone. */
  casedb_secure_wipe (contents, len);

  if (r->problems->len > 0)
    {
      set_error_from_problem (error, CASEDB_ERROR_INVALID_INPUT, r->basename,
                              g_ptr_array_index (r->problems, 0));
      return FALSE;
    }

  /* Check before storing so the message names the line. */
  can_verify = casedb_store_can (store, CASEDB_PERM_VERIFY_CASES);
  for (guint i = 0; i < r->cases->len; i++)
    {
      CasedbCase *c = g_ptr_array_index (r->cases, i);
      gboolean exists = FALSE;

      if (!can_verify && c->verification == CASEDB_VERIFICATION_VERIFIED)
        {
          CasedbImportProblem p = {
            g_array_index (r->first_lines, guint, i),
            (char *) "verification",
            (char *) _("Your role may not mark a case verified; use pending or unverified"),
          };

          set_error_from_problem (error, CASEDB_ERROR_NOT_PERMITTED, r->basename, &p);
          return FALSE;
        }

      if (!casedb_store_has_reference (store, c->reference, &exists, error))
        return FALSE;
      if (exists)
        {
          g_autofree char *shown = echo_value (COL_CASE_REF, c->reference);
          g_autofree char *message =
            g_strdup_printf (_("A case with this reference is already in the database (“%s”); nothing was imported"),
                             shown);
          CasedbImportProblem p = { g_array_index (r->first_lines, guint, i),
                                    (char *) "case_ref", message };

          set_error_from_problem (error, CASEDB_ERROR_EXISTS, r->basename, &p);
          return FALSE;
        }
    }

  /* New code-book entries only if the cases that name them are stored. */
  detail = g_strdup_printf ("%u cases from %s", r->cases->len, r->basename);
  if (!casedb_store_begin_batch (store, error))
    return FALSE;
  if (!map_names (store, r, error) ||
      !casedb_store_save_cases (store, r->cases, detail, error))
    {
      casedb_store_end_batch (store, FALSE, NULL);
      return FALSE;
    }
  if (!casedb_store_end_batch (store, TRUE, error))
    return FALSE;

  if (n_cases != NULL)
    *n_cases = r->cases->len;

  return TRUE;
}
