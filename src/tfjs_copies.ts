/**
 * Two copies of @tensorflow/tfjs-core in one app (npm nests a second one when versions clash)
 * share one engine, but not the registry of serializable classes: ManualDropout registers in
 * keras2tfjs' copy, and the app's `tf.loadLayersModel` says "Unknown layer: ManualDropout" with no
 * hint why (the only sign is tfjs' "Platform node has already been set"). So keras2tfjs says it,
 * once, loudly, with the fix:
 * - the app's copy loaded first: the shared environment is not an instance of our Environment;
 * - ours loaded first: a later copy registers its own platform class (same name, another class).
 */
import * as tf from '@tensorflow/tfjs-core';

let warned = false;

/** The one message: what happens and how to fix it. */
export function twoCopiesMessage(): string {
  return (
    `keras2tfjs: this app loads two copies of @tensorflow/tfjs-core (keras2tfjs uses ${tf.version_core}): layers keras2tfjs ` +
    "registers (ManualDropout) land in its copy, so the app's tf.loadLayersModel would fail with 'Unknown layer: ManualDropout'. " +
    'Fix: give the app one copy. `npm ls @tensorflow/tfjs-core` shows both; align the versions (keras2tfjs accepts ' +
    '@tensorflow/tfjs-core >=4.10.0 <5) and run `npm dedupe`.'
  );
}

function report(): void {
  if (warned) return;
  warned = true;
  console.error(twoCopiesMessage());
}

/** Checks now, and watches for a copy that loads later. Runs once, when keras2tfjs is imported. */
function watchForSecondTfjsCore(): void {
  const environment = tf.env();
  if (!(environment instanceof tf.Environment)) {
    report();
    return;
  }
  const setPlatform = environment.setPlatform;
  environment.setPlatform = function (name: string, platform: tf.Platform): void {
    const current = environment.platform as object | undefined;
    if (current && platform && current.constructor !== platform.constructor && current.constructor.name === platform.constructor.name) {
      report();
    }
    setPlatform.call(environment, name, platform);
  };
}

watchForSecondTfjsCore();
