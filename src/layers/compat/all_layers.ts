/**
 * Every compat layer, imported for its registration with tfjs: the package root imports this,
 * so that an app's own tf.loadLayersModel reads a converted model.json that names them even
 * when the app bundles nothing of the converter (a test checks every compat layer is here).
 */
import './bilinear_upsampling2d.js';
import './causal_conv1d.js';
import './normalization.js';
import './reset_after_gru_cell.js';
import './reset_after_gru.js';
