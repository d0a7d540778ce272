// tfjs prints a multi-line "install tfjs-node" banner whenever the cpu backend starts in Node;
// the tests choose their backends on purpose, so keep the log readable.
import { env } from '@tensorflow/tfjs-core';

env().set('IS_TEST', true);
