// client: imports the article's `database-connector` and runs three queries.
//
// A WASI command (main) in C for wasi-libc, built with Debian's clang, then
// embedded with the WIT world `client` and wrapped into a component with
// wasmtime 48.0.8's preview1 command adapter (see ../../build.sh). Composing it
// with a provider (`wac plug client.wasm --plug provider_X.wasm`) satisfies the
// import; on its own the component cannot run: nothing provides the import.
//
// The canonical ABI of the imported function, written by hand:
//
//   (import "wasmscope:article/database-connector" "execute-query"
//     (func (param $sql_ptr i32) (param $sql_len i32) (param $ret_ptr i32)))
//
// The caller passes the UTF-8 bytes of `sql` as (ptr, len). The result, a
// list<query-result>, is more than one core value, so the caller also passes a
// pointer to an 8-byte return area, where the callee's side writes (list ptr,
// list len). The list and its strings are allocated in *this* module's memory
// with our `cabi_realloc`, so they are ours to free. Each record is 16 bytes,
// alignment 8: id u64 at 0, payload (ptr u32, len u32) at 8 and 12.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t id;
    char *payload_ptr;
    size_t payload_len;
} query_result_t;

typedef struct {
    query_result_t *ptr;
    size_t len;
} query_result_list_t;

_Static_assert(sizeof(query_result_t) == 16 && _Alignof(query_result_t) == 8, "canonical ABI layout");

__attribute__((import_module("wasmscope:article/database-connector"), import_name("execute-query")))
extern void database_connector_execute_query(const char *sql_ptr, size_t sql_len, query_result_list_t *ret);

// The memory the callee's side uses to hand us the list and the strings.
// wasi-libc's malloc aligns to 16, more than any alignment asked for here (8).
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    if (new_size == 0) return (void *)align;
    void *ret = realloc(ptr, new_size);
    if (!ret) abort();
    return ret;
}

static void run(const char *sql) {
    query_result_list_t rows = {0};
    database_connector_execute_query(sql, strlen(sql), &rows);
    printf("== %s (%zu row%s)\n", sql, rows.len, rows.len == 1 ? "" : "s");
    for (size_t i = 0; i < rows.len; i++) {
        query_result_t *r = &rows.ptr[i];
        printf("%llu\t%.*s\n", (unsigned long long)r->id, (int)r->payload_len, r->payload_ptr);
        if (r->payload_len) free(r->payload_ptr);
    }
    if (rows.len) free(rows.ptr);
}

int main(void) {
    run("select * from users");
    run("select * from users where id = 2");
    run("drop table users");
    return 0;
}

// Linked with -mexec-model=reactor and this `_start` instead of wasi-libc's
// crt1-command.o. Debian's wasm-ld 14 treats a module whose `_start` comes from
// crt1-command.o as a "command" and wraps every other export, `cabi_realloc`
// too, in calls to the constructors and destructors. The destructors flush
// stdout (an fd_write), and the provider calls our `cabi_realloc` to hand back
// its result: by the component model's rules a component may not call out
// while the host is inside its `cabi_realloc`, and wasmtime traps ("cannot
// leave component instance"). As a reactor, crt1-reactor.o's `_initialize`
// runs the constructors once (wit-component calls it when the component is
// instantiated), the exports stay unwrapped, and the command adapter's
// wasi:cli/run calls this `_start`, which ends like crt1-command.o's: run the
// destructors once (they flush stdout), and exit only on failure.
extern void __wasm_call_dtors(void);

__attribute__((export_name("_start")))
void _start(void) {
    int status = main();
    __wasm_call_dtors();
    if (status != 0) _Exit(status);
}
