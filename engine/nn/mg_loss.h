/* mg_loss.h — losses over scalar values (sums, means, SVM, MSE, BCE, L2) and
 * micrograd's demo loss on tensors (one node per array; cross-entropy, MSE
 * and BCE on tensors are ops of mg_tensor.h). */
#ifndef MG_LOSS_H
#define MG_LOSS_H

#include <stddef.h>

#include "mg_nn.h"
#include "mg_tensor.h"
#include "mg_value.h"

MG_EXTERN_C_BEGIN

/* v[0] + v[1] + … as a left-to-right chain of adds (NULL when n == 0). */
MG_API mg_value *mg_sum(mg_value *const *v, size_t n);
/* The mean of v[0..n-1]: mg_sum times 1/n. */
MG_API mg_value *mg_mean(mg_value *const *v, size_t n);
/* micrograd's max-margin loss: mean over i of relu(1 - y_i·s_i), y_i = ±1. */
MG_API mg_value *mg_loss_svm(mg_value *const *scores, const double *y, size_t n);
/* Mean squared error: mean over i of (p_i - t_i)². */
MG_API mg_value *mg_loss_mse(mg_value *const *preds, const double *targets, size_t n);
/* Binary cross-entropy from logits, computed stably: mean of mg_bce_logits. */
MG_API mg_value *mg_loss_bce_logits(mg_value *const *logits, const double *targets, size_t n);
/* alpha · Σ p² over the parameters (micrograd's L2 regulariser). */
MG_API mg_value *mg_l2(mg_value *const *params, size_t n, double alpha);

/* micrograd's demo loss for an MLP with one output on a whole dataset:
 * SVM loss over the n rows of X (n × nin, row-major) against labels y (±1)
 * plus mg_l2(params, alpha). Each sample's nodes sit in scope "sampleI", the
 * mean over samples in "data_loss", the L2 term in "reg_loss".
 * Writes the fraction classified correctly to *accuracy (may be NULL).
 * Returns the total loss, or NULL with the graph's sticky error set. */
MG_API mg_value *mg_mlp_svm_loss(mg_mlp *m, const double *X, const double *y, size_t n, double alpha,
                          double *accuracy);

/* micrograd's max-margin loss on a batch of scores and ±1 labels y of the
 * same shape: mean(relu(1 - y·scores)), one node per array. */
MG_API mg_tensor *mg_tensor_loss_svm(mg_tensor *scores, mg_tensor *y);
/* alpha · Σ over params[0..n-1] of Σ p² (NULL when n == 0). */
MG_API mg_tensor *mg_tensor_l2(mg_tensor *const *params, int n, double alpha);
/* Each sample's own max-margin loss, out[i] = max(0, 1 - y[i]·scores[i])
 * for the numel entries of scores (a NaN stays NaN), computed on the
 * numbers without adding nodes to the graph. */
MG_API void mg_svm_rows(const mg_tensor *scores, const mg_tensor *y, double *out);

MG_EXTERN_C_END

#endif
