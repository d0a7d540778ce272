// require('keras2tfjs/testing'): the same ES module graph as `import`, as for the package root (index.cts).
import testing = require('./testing.js');

export = testing;
