/**
 * Every family of operations, registered in the table (registry.ts) on import.
 */
import './elementwise.js';
import './reductions.js';
import './shapes.js';
import './slicing.js';
import './nn.js';
import './linalg.js';
import './tensorflow.js';
