/* mg_run.h — a training run as data: a directory any program can read while
 * the run writes it, and after it crashed.
 *
 *     char dir[512];
 *     mg_run_fresh_dir("mgviz-runs", "moons-mlp", dir, sizeof dir, &err);
 *     mg_run *run = mg_run_open(dir, &(mg_run_info){ .dataset = "moons",
 *                               .model = "mlp", .layers = scopes, .nlayers = 3 },
 *                               0, &err);
 *     for (each step) {
 *         ... forward, backward, mg_health_measure(h), update ...
 *         mg_run_log_step(run, &(mg_run_step){ .step = k, .loss = loss,
 *                         .lr = lr, .accuracy = NAN, .health = h }, &err);
 *     }
 *     mg_run_close(run, MG_RUN_OK, NULL, &err);
 *
 * The directory (format "mgviz-run", version 1):
 *   run.json     written once, atomically, when the run opens:
 *                { "format": "mgviz-run", "version": 1, "name", "created"
 *                  (UTC, ISO 8601), "command": [argv...], "dataset", "model",
 *                  "options": { name: value, ... }, "layers": [scope, ...],
 *                  "planned_steps" (null when unknown), "steps": "steps.jsonl" }
 *   steps.jsonl  append-only, one JSON object per line, each line written
 *                with one write() as soon as it is logged. Step records:
 *                { "step": N, "epoch": E, "loss": x, "accuracy": a | null,
 *                  "lr": x, "time": seconds since the run opened,
 *                  "layers": { scope: health (mg_health_json) },
 *                  "snapshot": path | null, "warnings": [text, ...] }
 *                and events { "event": NAME, "time": s, ... }: "resume",
 *                "eval" (test loss and accuracy after an epoch), and last
 *                "end" { "status": "ok" | "stopped" | "error", "message" }.
 *                A reader takes complete lines only (mg_run_read_lines): a
 *                last line without its newline is a record being written, or
 *                torn by a crash, and is skipped, never an error.
 *   anything else a run keeps there (pictures: mg_snapshot.h), named by
 *   paths relative to the directory.
 * Numbers are round-trip exact, zero is 0 (never -0), and a non-finite
 * number is null with its text beside it: "loss": null, "loss_str": "nan". */
#ifndef MG_RUN_H
#define MG_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mg_health.h"

MG_EXTERN_C_BEGIN

enum {
    MG_RUN_VERSION = 1,
    MG_RUN_LINE_MAX = 16 << 20 /* bytes of one steps.jsonl line a reader takes: a
                                  record is kilobytes; a longer line is not one */
};

#define MG_RUN_INFO_FILE "run.json"
#define MG_RUN_STEPS_FILE "steps.jsonl"

/* One named value of run.json's options or of an event. */
typedef enum mg_run_kind { MG_RUN_TEXT = 0, MG_RUN_NUMBER, MG_RUN_INT, MG_RUN_BOOL } mg_run_kind;

typedef struct mg_run_field {
    const char *name;
    mg_run_kind kind;
    const char *text;     /* MG_RUN_TEXT (NULL writes null) */
    double number;        /* MG_RUN_NUMBER */
    long long integer;    /* MG_RUN_INT; MG_RUN_BOOL: 0 or not */
} mg_run_field;

/* What run.json records. Every pointer is read during mg_run_open() only. */
typedef struct mg_run_info {
    const char *name;               /* NULL: the directory's last name */
    const char *dataset, *model;    /* NULL: null */
    int argc;                       /* the command line, as given */
    char *const *argv;
    const mg_run_field *options;
    int noptions;
    const char *const *layers;      /* the scopes step records describe */
    int nlayers;
    int64_t planned_steps;          /* the steps the run means to take (epoch
                                       runs: epochs x batches); 0: unknown */
} mg_run_info;

/* How the files a run directory already holds are treated at open. */
enum {
    MG_RUN_REPLACE = 1u << 0   /* remove an earlier run's files (run.json,
                                  steps.jsonl, the pictures mg_snapshot.h
                                  writes) instead of refusing; other files
                                  are left alone */
};

typedef struct mg_run mg_run;

/* Creates root (if needed) and in it a new directory named
 * "YYYYMMDD-HHMMSS-stem" (local time), with "-2", "-3"... when taken; its
 * path goes to buf. MG_OK, or MG_EIO/MG_EINVAL with a message. */
MG_API mg_code mg_run_fresh_dir(const char *root, const char *stem, char *buf, size_t n,
                                mg_error *err);
/* True when dir exists and holds anything: a run opened there is refused
 * unless MG_RUN_REPLACE. */
MG_API bool mg_run_dir_in_use(const char *dir);

/* Creates dir (and its parents) if needed, refuses a non-empty one unless
 * flags has MG_RUN_REPLACE, writes run.json and starts steps.jsonl. NULL
 * with err filled on failure. */
MG_API mg_run *mg_run_open(const char *dir, const mg_run_info *info, unsigned flags,
                           mg_error *err);
MG_API const char *mg_run_dir(const mg_run *r);
/* Seconds since the run opened. */
MG_API double mg_run_time(const mg_run *r);

/* A step record. NaN loss or lr is written as null + text; NaN accuracy as
 * null (not measured). */
typedef struct mg_run_step {
    long long step;
    int epoch;
    double loss, accuracy, lr;
    const mg_health *health;        /* NULL: "layers": {} */
    const char *snapshot;           /* relative path, or NULL */
    const char *const *warnings;    /* besides the health's own warnings */
    int nwarnings;
} mg_run_step;

/* Appends a step record (the health's current warnings included). Once the
 * record's size has been seen, logging allocates nothing. */
MG_API mg_code mg_run_log_step(mg_run *r, const mg_run_step *s, mg_error *err);
/* Appends an event {"event": name, "time": s, fields...}. */
MG_API mg_code mg_run_log_event(mg_run *r, const char *name, const mg_run_field *fields,
                                int n, mg_error *err);

typedef enum mg_run_status { MG_RUN_OK = 0, MG_RUN_STOPPED, MG_RUN_ERROR } mg_run_status;

/* Appends the "end" event (message may be NULL) and frees r, even on
 * failure; NULL is a no-op. */
MG_API mg_code mg_run_close(mg_run *r, mg_run_status status, const char *message,
                            mg_error *err);

/* Reads the complete lines of a steps.jsonl (or any such file) from byte
 * *offset on, calling fn(ctx, line, len) for each (without its newline) and
 * moving *offset past it; a last line without a newline is left for a
 * later call. fn returns 0 to go on, nonzero to stop. MG_OK, MG_EIO, or
 * MG_EFORMAT at a line longer than MG_RUN_LINE_MAX (the lines before it
 * read), so a file of one endless line never has it all held in memory. */
typedef int (*mg_run_line_fn)(void *ctx, const char *line, size_t len);
MG_API mg_code mg_run_read_lines(const char *path, size_t *offset, mg_run_line_fn fn, void *ctx,
                                 mg_error *err);
/* The same from an open descriptor (e.g. one opened with O_NOFOLLOW by a
 * server that must not follow links); fd stays open, its file position
 * moved. */
MG_API mg_code mg_run_read_lines_fd(int fd, size_t *offset, mg_run_line_fn fn, void *ctx,
                                    mg_error *err);

MG_EXTERN_C_END

#endif
