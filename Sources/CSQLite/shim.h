#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro over a function-pointer cast that Swift cannot import.
static inline void (*csqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. SQLITE_CONFIG_PAGECACHE with no buffer and 0 pages:
// page caches allocate pages one at a time as they need them, instead of a 20-page (~87 KB) block when a cache
// first fills. Every write to `orders` evaluates `status IN (...)` (a CHECK and the partial index `orders_open`)
// through short-lived ephemeral tables, each with a page cache of its own: with the block, each statement
// allocated and freed ~175 KB, which glibc handed back to the kernel and faulted in again on the next one —
// about three quarters of the CPU an order write took (BENCHMARKS.md, "Order-event ingest").
static inline int csqlite_config_page_cache_on_demand(void) { return sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0); }
