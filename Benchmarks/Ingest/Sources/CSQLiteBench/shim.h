#include <sqlite3.h>
static inline void (*bench_transient(void))(void *) { return SQLITE_TRANSIENT; }
