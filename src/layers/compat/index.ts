/**
 * Every keras2tfjs compat layer and activation, registered with tfjs on import: what a converted
 * model.json may name. The converter (normalize/layer_map.ts) and the package root import this.
 */
import './activations/elu.js';
import './activations/keras_activations.js';
import './activations/relu.js';
import './activations/softmax.js';
import './applications/layer_scale.js';
import './attention/dense_attention.js';
import './attention/einsum_dense.js';
import './attention/grouped_query_attention.js';
import './attention/multi_head_attention.js';
import './convolutional/causal_conv1d.js';
import './convolutional/conv1d_transpose.js';
import './convolutional/conv3d_transpose.js';
import './convolutional/depthwise_conv1d.js';
import './convolutional/grouped_conv2d.js';
import './convolutional/separable_conv1d.js';
import './core/inference_identity.js';
import './core/spatial_dropout.js';
import './embeddings/reversible_embedding.js';
import './merge/masked_merge.js';
import './merge/subtract.js';
import './normalization/group_normalization.js';
import './normalization/normalization.js';
import './normalization/rms_normalization.js';
import './normalization/spectral_normalization.js';
import './normalization/unit_normalization.js';
import './ops/keras_operation.js';
import './pooling/adaptive_pooling.js';
import './pooling/global_pooling.js';
import './preprocessing/auto_contrast.js';
import './preprocessing/category_encoding.js';
import './preprocessing/center_crop.js';
import './preprocessing/discretization.js';
import './preprocessing/integer_lookup.js';
import './preprocessing/resizing.js';
import './recurrent/reset_after_gru.js';
import './recurrent/reset_after_gru_cell.js';
import './recurrent/stacked_rnn_cells.js';
import './reshaping/bilinear_upsampling2d.js';
import './reshaping/cropping.js';
import './reshaping/upsampling.js';
import './reshaping/zero_padding.js';
