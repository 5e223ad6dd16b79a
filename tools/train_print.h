/* train_print.h — what `mgviz train` shows on the terminal while it trains:
 * a line per logged step, or one progress line redrawn in place (on a
 * terminal), epoch summaries, and warnings that stand out. */
#ifndef MGVIZ_TRAIN_PRINT_H
#define MGVIZ_TRAIN_PRINT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct train_printer {
    bool quiet;             /* warnings, errors and the summary only */
    bool redraw;            /* one progress line redrawn in place */
    bool line_open;         /* a progress line is on the screen */
    int64_t first, total;   /* steps of this run: first..total-1 */
    int epochs;
    const char *period;     /* what an epoch is called: "epoch", "eval" */
    const char *split;      /* what is evaluated at its end: "test", "val" */
    double start, last_draw;
} train_printer;

/* What one step reports. */
typedef struct train_report {
    int64_t step;
    int epoch;              /* from 0 */
    double loss, accuracy, lr;
    bool saved;             /* pictures were saved at this step */
} train_report;

void print_start(train_printer *p, const char *title, const char *plan, const char *dir);
/* A logged step: a line, or the progress line redrawn (at most 10 a second). */
void print_step(train_printer *p, const train_report *r);
/* A step not logged: the progress line only. */
void print_tick(train_printer *p, const train_report *r);
void print_epoch(train_printer *p, int epoch, double train_loss, double test_loss,
                 double test_accuracy, double seconds);
/* "warning: step 12: mlp/layer1: ..." on stderr, above the progress line. */
void print_warning(train_printer *p, int64_t step, const char *text);
/* Clears the progress line before anything else is printed. */
void print_clear(train_printer *p);
double print_now(void);

#endif
