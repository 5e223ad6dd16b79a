/* cmd_train_tensor.h — `mgviz train` on tensors. The train subcommand
 * (cmd_train) calls cmd_train_tensor() with its own argv when
 * train_tensor_wanted() says the arguments ask for tensors. */
#ifndef MGVIZ_CMD_TRAIN_TENSOR_H
#define MGVIZ_CMD_TRAIN_TENSOR_H

#include <stdbool.h>

/* True for --dataset fashion-mnist or --tensor among argv[1..argc-1]. */
bool train_tensor_wanted(int argc, char **argv);
/* Runs `mgviz train` on tensors (argv[0] is "train"); returns an exit code
 * (0 done, 1 bad data or checkpoint, 2 usage or I/O error). */
int cmd_train_tensor(int argc, char **argv);

#endif
