/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CASEDB_ERROR (casedb_error_quark ())

/**
 * CasedbError:
 * @CASEDB_ERROR_FAILED: anything else
 * @CASEDB_ERROR_INVALID_INPUT: bad input from the user or a file (casedb-tool exit 1)
 * @CASEDB_ERROR_WRONG_PASSWORD: the password does not open the key slot (exit 2)
 * @CASEDB_ERROR_NOT_PERMITTED: the role may not do this (exit 2)
 * @CASEDB_ERROR_DAMAGED: the database or key-slot file is damaged or truncated (exit 3)
 * @CASEDB_ERROR_NOT_FOUND: no such case, user or file
 * @CASEDB_ERROR_EXISTS: a user, case reference or file already exists
 * @CASEDB_ERROR_IO: reading or writing a file failed
 */
typedef enum {
  CASEDB_ERROR_FAILED,
  CASEDB_ERROR_INVALID_INPUT,
  CASEDB_ERROR_WRONG_PASSWORD,
  CASEDB_ERROR_NOT_PERMITTED,
  CASEDB_ERROR_DAMAGED,
  CASEDB_ERROR_NOT_FOUND,
  CASEDB_ERROR_EXISTS,
  CASEDB_ERROR_IO,
} CasedbError;

GQuark casedb_error_quark (void);

G_END_DECLS
