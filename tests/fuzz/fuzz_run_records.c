/* fuzz_run_records.c — a run directory's records as the server and any
 * reader take them (mg_run.h): the input is a run.json, then a line
 * "--steps--", then a steps.jsonl, planted in a run beside the harness's
 * own (fuzz_serve_root.h). Read through:
 *   - the runs list (serve_runs_json): always strict JSON (read back with
 *     the graph importer's reader), whatever the records hold;
 *   - the event stream from the start, to its end (the harness ends the
 *     file with an end event): every line it sends is an event field, so a
 *     record cannot forge events;
 *   - mg_run_read_lines from the start and from an offset: complete lines
 *     only, each once, the offset past the last of them. */
#define _GNU_SOURCE /* memmem */
#include "fuzz_input.h"
#include "fuzz_serve_root.h"
#include "json_read.h"
#include "mg_run.h"
#include "serve_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_root fixture;
static serve_root root;
static mg_serve *server;
static char run_dir[160];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_root_make(&fixture);
    snprintf(run_dir, sizeof run_dir, "%s/fuzzed", fixture.root);
    mg_error err;
    if (mkdir(run_dir, 0700) != 0 || serve_root_open(&root, fixture.root, &err) != MG_OK)
        abort();
    server = mg_serve_start(fixture.root, &(mg_serve_options){ .port = 0 }, &err);
    if (!server)
        abort();
    return 0;
}

static void put(const char *name, const uint8_t *data, size_t n, const char *tail)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", run_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fputs(tail, f) < 0 || fclose(f) != 0)
        abort();
}

static void list_is_json(void)
{
    mg_buf b = { 0 };
    serve_runs_json(&root, &b);
    mg_buf_put(&b, "", 1);
    if (b.failed)
        return; /* out of memory: the server answers 500 */
    mg_error err;
    json_reader *r = json_reader_new(b.p, &err);
    json_value *v = r ? json_read_value(r) : NULL;
    if (!v || !json_read_end(r) || v->type != J_OBJECT) {
        fprintf(stderr, "runs list is not JSON: %s\n%s\n", err.message, b.p);
        abort();
    }
    json_free(v);
    json_reader_free(r);
    mg_buf_free(&b);
}

static bool field_line(const char *s, size_t n)
{
    static const char *const fields[] = { "data: ", "id: ", "event: ", "retry: ", ": " };
    if (n == 0)
        return true;
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (n >= strlen(fields[i]) && strncmp(s, fields[i], strlen(fields[i])) == 0)
            return true;
    return false;
}

/* Reads the whole stream and checks each line it sent. */
static void stream_is_events(void)
{
    serve_stream *st = serve_stream_new(server, "fuzzed", NULL, NULL);
    if (!st)
        return;
    mg_buf out = { 0 };
    static char buf[16384];
    bool over = false;
    for (size_t n; (n = serve_stream_read(st, buf, sizeof buf, &over)) > 0;)
        mg_buf_put(&out, buf, n);
    serve_stream_free(st);
    if (!over)
        abort();
    for (size_t i = 0; !out.failed && i < out.len;) {
        const char *s = out.p + i, *nl = memchr(s, '\n', out.len - i);
        size_t n = nl ? (size_t)(nl - s) : out.len - i;
        if (!nl || memchr(s, '\r', n) || !field_line(s, n)) {
            fprintf(stderr, "stream line not an event field: '%.*s'\n", (int)n, s);
            abort();
        }
        i += n + 1;
    }
    mg_buf_free(&out);
}

typedef struct lines {
    size_t count, bytes;
} lines;

static int count_line(void *ctx, const char *line, size_t len)
{
    lines *l = ctx;
    if (memchr(line, '\n', len))
        abort();
    l->count++;
    l->bytes += len + 1;
    return 0;
}

static void lines_are_whole(const uint8_t *steps, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", run_dir, MG_RUN_STEPS_FILE);
    put(MG_RUN_STEPS_FILE, steps, n, "");
    size_t offset = 0, newlines = 0, last = 0;
    for (size_t i = 0; i < n; i++)
        if (steps[i] == '\n')
            newlines++, last = i + 1;
    lines l = { 0 };
    mg_error err;
    if (mg_run_read_lines(path, &offset, count_line, &l, &err) == MG_OK &&
        (l.count != newlines || offset != last || l.bytes != last))
        abort(); /* a partial last line read, or a line lost */
    /* again from a line's start in the middle: the rest only */
    size_t mid = 0;
    for (size_t i = 0; i < n / 2; i++)
        if (steps[i] == '\n')
            mid = i + 1;
    lines rest = { 0 };
    offset = mid;
    if (mg_run_read_lines(path, &offset, count_line, &rest, &err) == MG_OK &&
        (offset != last || mid + rest.bytes != last))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n--steps--\n";
    const uint8_t *steps = size >= sizeof sep - 1 ? memmem(data, size, sep, sizeof sep - 1) : NULL;
    size_t info_n = steps ? (size_t)(steps - data) : size;
    steps = steps ? steps + sizeof sep - 1 : data + size;
    size_t steps_n = (size_t)(data + size - steps);
    put(MG_RUN_INFO_FILE, data, info_n, "");
    put(MG_RUN_STEPS_FILE, steps, steps_n, "\n{\"event\":\"end\",\"status\":\"ok\"}\n");
    list_is_json();
    stream_is_events();
    lines_are_whole(steps, steps_n);
    return 0;
}
