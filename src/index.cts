// require('keras2tfjs'): the same ES module graph as `import` (Node ≥ 20.19 loads ES modules
// synchronously from require), so an app that mixes both shares one ManualDropout registration
// and one copy of every module: no dual-package hazard.
import keras2tfjs = require('./index.js');

export = keras2tfjs;
