/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "casedb-bench"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sys/resource.h>

#include "casedb-core.h"
#include "casedb-store-private.h"

/*
 * casedb-bench --cases N [--dir DIR] [--keep] [--insert-only]
 *
 * Generates N synthetic cases (casedb_demo_populate) twice: into a CaseDB
 * database (SQLCipher, sealed identities) and into a plain SQLite database
 * with the same schema and data (this benchmark-only build of the core
 * allows that; the app and casedb-tool cannot).  Runs the same operations on
 * both and prints one line per operation: name, ms with CaseDB, ms with plain
 * SQLite, ratio.  Not a test: figures go into the issue notes.
 */

#define PASSWORD "bench-password-not-secret"
#define REPEAT   5

typedef struct {
  const char *name;
  double      casedb_ms;
  double      plain_ms;
} Line;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

typedef gboolean (*Operation) (CasedbStore *store, gpointer data, GError **error);

/* Best of REPEAT: the steady figure a user sees after the first use. */
static double
measure (CasedbStore *store, Operation op, gpointer data)
{
  double best = G_MAXDOUBLE;

  for (int i = 0; i < REPEAT; i++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = now_ms ();

      if (!op (store, data, &error))
        g_error ("operation failed: %s", error->message);
      best = MIN (best, now_ms () - t0);
    }
  return best;
}

static gboolean
op_list_all (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = casedb_store_list_cases (store, &q, error);

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

static gboolean
op_counts (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  guint counts[CASEDB_N_VIOLATIONS], total;

  return casedb_store_count_by_violation (store, &q, counts, &total, error);
}

static gboolean
op_filter_violation (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = NULL;

  q.violation = CASEDB_VIOLATION_ABDUCTION;
  model = casedb_store_list_cases (store, &q, error);
  return model != NULL;
}

static gboolean
op_filter_dates_region (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = NULL;
  g_auto(GStrv) regions = casedb_store_list_regions (store, error);

  if (regions == NULL || regions[0] == NULL)
    return FALSE;
  q.from = "2024-01-01";
  q.to = "2024-06-30";
  q.region = regions[0];
  model = casedb_store_list_cases (store, &q, error);
  return model != NULL;
}

static gboolean
op_text_search (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = NULL;

  q.text = "school";
  model = casedb_store_list_cases (store, &q, error);
  return model != NULL;
}

static gboolean
op_code_search (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = NULL;

  q.text = "C-2024-01";
  model = casedb_store_list_cases (store, &q, error);
  return model != NULL;
}

static gboolean
op_drafts (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  g_autoptr(GListModel) model = NULL;

  q.draft = 1;
  model = casedb_store_list_cases (store, &q, error);
  return model != NULL;
}

static gboolean
op_regions (CasedbStore *store, gpointer data, GError **error)
{
  g_auto(GStrv) regions = casedb_store_list_regions (store, error);

  return regions != NULL;
}

/* What the case list asks for on every change of filters: the regions, the
 * sidebar counts (all, drafts, follow-up) and the rows. */
static gboolean
op_refresh (CasedbStore *store, gpointer data, GError **error)
{
  CasedbQuery q = CASEDB_QUERY_INIT;
  guint counts[CASEDB_N_VIOLATIONS], total;

  if (!op_regions (store, NULL, error) ||
      !casedb_store_count_by_violation (store, &q, counts, &total, error))
    return FALSE;
  q.draft = 1;
  if (!casedb_store_count_by_violation (store, &q, counts, &total, error))
    return FALSE;
  q.draft = -1;
  q.needs_followup = 1;
  if (!casedb_store_count_by_violation (store, &q, counts, &total, error))
    return FALSE;
  return op_list_all (store, NULL, error);
}

/* Decrypts every victim's name and guardian: no index can hold them. */
static gboolean
op_identity_search (CasedbStore *store, gpointer data, GError **error)
{
  g_autoptr(GArray) ids = casedb_store_search_identities (store, "amal", error);

  return ids != NULL;
}

static gboolean
op_summary (CasedbStore *store, gpointer data, GError **error)
{
  g_autoptr(CasedbSummary) summary = casedb_summary_new (store, CASEDB_PERIOD_QUARTER, 5, error);
  g_autoptr(GBytes) csv = NULL;

  if (summary == NULL)
    return FALSE;
  csv = casedb_summary_to_csv (summary);
  return csv != NULL;
}

static gboolean
op_load_case (CasedbStore *store, gpointer data, GError **error)
{
  g_autoptr(CasedbCase) c = casedb_store_load_case (store, GPOINTER_TO_INT (data), TRUE, error);

  return c != NULL;
}

static long
peak_rss_kib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static void
print_insert (int n_cases, double insert_ms, double plain_insert_ms)
{
  g_print ("%-38s %12.1f %12.1f %7.2f\n", "bulk insert (all cases)", insert_ms, plain_insert_ms,
           insert_ms / plain_insert_ms);
  g_print ("%-38s %12.0f %12.0f %7s\n", "  insert rate (cases/s)", n_cases / (insert_ms / 1000.0),
           n_cases / (plain_insert_ms / 1000.0), "");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CasedbStore) store = NULL;
  g_autoptr(CasedbStore) plain = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *plain_db = NULL;
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (Line));
  int n_cases = 100000;
  char *dir_opt = NULL;
  gboolean keep = FALSE;
  gboolean insert_only = FALSE;
  CasedbKdfParams params;
  guint8 salt[16] = { 0 }, key[32];
  double t0, argon_ms, unlock_ms, insert_ms, plain_insert_ms, first_list_ms;
  GOptionEntry entries[] = {
    { "cases", 'n', 0, G_OPTION_ARG_INT, &n_cases, "Number of synthetic cases", "N" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_opt, "Folder for the databases (default: a temporary one)", "DIR" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the databases", NULL },
    { "insert-only", 'i', 0, G_OPTION_ARG_NONE, &insert_only, "Measure the bulk insert only", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("— measure CaseDB against plain SQLite");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_cases < 1)
    {
      g_printerr ("casedb-bench: %s\n", error != NULL ? error->message : "--cases must be positive");
      return 1;
    }
  if (!casedb_core_init (&error))
    g_error ("%s", error->message);

  dir = dir_opt != NULL ? g_strdup (dir_opt) : g_dir_make_tmp ("casedb-bench-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  g_mkdir_with_parents (dir, 0700);
  db = g_build_filename (dir, "bench.casedb", NULL);
  plain_db = g_build_filename (dir, "bench-plain.sqlite", NULL);
  g_unlink (db);
  g_unlink (plain_db);
  {
    g_autofree char *keys = casedb_store_keyslots_path (db);

    g_unlink (keys);
  }

  g_print ("# casedb-bench: %d cases, %s\n", n_cases, dir);

  /* Bulk insert: one transaction, identities sealed. */
  store = casedb_store_create (db, "bench", PASSWORD, NULL, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  t0 = now_ms ();
  if (!casedb_demo_populate (store, n_cases, 42, &error))
    g_error ("%s", error->message);
  insert_ms = now_ms () - t0;

  plain = casedb_store_create_plain_for_benchmark (plain_db, &error);
  if (plain == NULL)
    g_error ("%s", error->message);
  t0 = now_ms ();
  if (!casedb_demo_populate (plain, n_cases, 42, &error))
    g_error ("%s", error->message);
  plain_insert_ms = now_ms () - t0;

  casedb_store_close (store);
  g_clear_object (&store);

  if (insert_only)
    {
      print_insert (n_cases, insert_ms, plain_insert_ms);
      goto out;
    }

  /* Unlock = Argon2id + open + checks; the Argon2id part measured apart. */
  casedb_kdf_params_default (&params);
  t0 = now_ms ();
  casedb_argon2id (PASSWORD, strlen (PASSWORD), salt, sizeof salt, &params, key, sizeof key, NULL);
  argon_ms = now_ms () - t0;
  t0 = now_ms ();
  store = casedb_store_open (db, "bench", PASSWORD, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  unlock_ms = now_ms () - t0;
  t0 = now_ms ();
  op_list_all (store, NULL, NULL);
  first_list_ms = now_ms () - t0;

#define LINE(label, op, data) \
  G_STMT_START { \
    Line l = { label, measure (store, op, data), measure (plain, op, data) }; \
    g_array_append_val (lines, l); \
  } G_STMT_END

  LINE ("list all cases", op_list_all, NULL);
  LINE ("counts by violation", op_counts, NULL);
  LINE ("list regions", op_regions, NULL);
  LINE ("filter by violation", op_filter_violation, NULL);
  LINE ("filter drafts", op_drafts, NULL);
  LINE ("filter date range + region", op_filter_dates_region, NULL);
  LINE ("text search (summary)", op_text_search, NULL);
  LINE ("text search (code prefix)", op_code_search, NULL);
  LINE ("list refresh (regions+3 counts+list)", op_refresh, NULL);
  LINE ("summary export (quarter, K=5)", op_summary, NULL);
  LINE ("identity search (all names)", op_identity_search, NULL);
  LINE ("load one case with identities", op_load_case, GINT_TO_POINTER (n_cases / 2));
#undef LINE

  g_print ("%-38s %12s %12s %7s\n", "operation", "CaseDB ms", "SQLite ms", "ratio");
  g_print ("%-38s %12.1f %12s %7s\n", "unlock (total)", unlock_ms, "-", "-");
  g_print ("%-38s %12.1f %12s %7s\n", "  of which Argon2id (64 MiB, t=8)", argon_ms, "-", "-");
  g_print ("%-38s %12.1f %12s %7s\n", "first list after unlock", first_list_ms, "-", "-");
  print_insert (n_cases, insert_ms, plain_insert_ms);
  for (guint i = 0; i < lines->len; i++)
    {
      Line *l = &g_array_index (lines, Line, i);

      g_print ("%-38s %12.1f %12.1f %7.2f\n", l->name, l->casedb_ms, l->plain_ms,
               l->plain_ms > 0.05 ? l->casedb_ms / l->plain_ms : 1.0);
    }
  casedb_store_close (store);

out:
  g_print ("%-38s %12.1f MiB\n", "peak RSS", peak_rss_kib () / 1024.0);
  casedb_store_close (plain);
  if (!keep)
    {
      g_autofree char *keys = casedb_store_keyslots_path (db);

      g_unlink (db);
      g_unlink (keys);
      g_unlink (plain_db);
      if (dir_opt == NULL)
        g_rmdir (dir);
    }
  g_free (dir_opt);
  return 0;
}
