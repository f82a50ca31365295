#ifndef SHIPLOG_CSQLITE_SHIM_H
#define SHIPLOG_CSQLITE_SHIM_H

#include <sqlite3.h>

// Swift cannot import SQLITE_TRANSIENT: it is a cast of -1 to a function pointer.
static inline sqlite3_destructor_type shiplog_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_db_config is variadic; Swift cannot call it directly.
static inline int shiplog_sqlite_db_config_int(sqlite3 *db, int op, int value, int *result) {
    return sqlite3_db_config(db, op, value, result);
}

#endif
