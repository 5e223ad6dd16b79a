/* mgviz.h — the whole library in one include: the engine (scalar and tensor
 * autograd, nn, data, training), graphs as data, and the pictures.
 *
 *     #include <mgviz/mgviz.h>     // cc prog.c $(pkg-config --cflags --libs mgviz)
 *
 * Each header below is also usable alone; pkg-config's mgengine and mggraph
 * link the lower layers without Graphviz or libpng. */
#ifndef MGVIZ_H
#define MGVIZ_H

/* engine */
#include "mg_api.h"
#include "mg_error.h"
#include "mg_rng.h"
#include "mg_format.h"
#include "mg_buf.h"
#include "mg_json.h"
#include "mg_file.h"
#include "mg_graph.h"
#include "mg_value.h"
#include "mg_gradcheck.h"
#include "mg_kernels.h"
#include "mg_tensor.h"
#include "mg_expr.h"
#include "mg_data.h"
#include "mg_idx.h"
#include "mg_nn.h"
#include "mg_loss.h"
#include "mg_tnn.h"
#include "mg_checkpoint.h"
#include "mg_train.h"
#include "mg_grad_stash.h"
#include "mg_lm_spec.h"
#include "mg_trainer.h"
#include "mg_task.h"
#include "mg_schedule.h"
#include "mg_eval.h"
#include "mg_health.h"
#include "mg_run.h"
/* graphs as data */
#include "mg_export.h"
#include "mg_inspect.h"
#include "mg_node_stats.h"
/* pictures */
#include "mg_plot.h"
#include "mg_tensor_viz.h"
#include "mg_viz.h"
#include "mg_html.h"
#include "mg_snapshot.h"
#include "mg_snapshot_task.h"

#endif
