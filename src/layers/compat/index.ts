/**
 * Every keras2tfjs compat layer and activation, registered with tfjs on import: what a converted
 * model.json may name. The converter (normalize/layer_map.ts) and the package root import this.
 */
import './activations/keras_activations.js';
import './attention/dense_attention.js';
import './attention/einsum_dense.js';
import './attention/grouped_query_attention.js';
import './attention/multi_head_attention.js';
import './convolutional/causal_conv1d.js';
import './merge/masked_merge.js';
import './merge/subtract.js';
import './normalization/group_normalization.js';
import './normalization/normalization.js';
import './normalization/rms_normalization.js';
import './normalization/unit_normalization.js';
import './ops/keras_operation.js';
import './pooling/global_pooling.js';
import './recurrent/reset_after_gru_cell.js';
import './reshaping/bilinear_upsampling2d.js';
