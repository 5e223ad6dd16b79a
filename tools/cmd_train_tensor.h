/* cmd_train_tensor.h — `mgviz train` on tensors. The train subcommand
 * (cmd_train) calls cmd_train_tensor() with its own argv for
 * --dataset fashion-mnist and for --tensor. */
#ifndef MGVIZ_CMD_TRAIN_TENSOR_H
#define MGVIZ_CMD_TRAIN_TENSOR_H

/* Runs `mgviz train` on tensors (argv[0] is "train"); returns an exit code
 * (0 done, 1 bad data or checkpoint, 2 usage or I/O error). */
int cmd_train_tensor(int argc, char **argv);

#endif
