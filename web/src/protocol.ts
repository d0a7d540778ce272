/**
 * What the page and its worker say to each other. The page only draws; every piece of work
 * (reading the model, converting, zipping, saving, predicting) runs in the worker, so the page
 * stays responsive while a large model converts.
 */
import type { ConversionReport, InspectReport, LambdaMappings, QuantizeDtype } from 'keras2tfjs';

/** A dropped model: one file (.keras, .h5), or the files of a folder with their relative paths. */
export type ModelDrop = { kind: 'file'; file: File } | { kind: 'folder'; name: string; files: Array<{ path: string; file: File }> };

export interface Requests {
  /** Reads the model and lists its layers and Lambdas (with `lambdas` applied). */
  inspect: { args: { drop: ModelDrop; lambdas: LambdaMappings }; result: { report: InspectReport; backend: string } };
  /** Converts the inspected model; the model is then loaded in the worker for predictions. */
  convert: { args: { lambdas: LambdaMappings; quantize: QuantizeDtype | null }; result: { report: ConversionReport; seconds: number } };
  /** model.json + weight shards (4 MiB, as tfjs' converter cuts them) in one zip. */
  zip: { args: Record<string, never>; result: { blob: Blob; files: string[] } };
  /** model.save('indexeddb://<name>'). */
  saveIndexedDb: { args: { name: string }; result: { url: string; bytes: number } };
  /** predict() twice and Monte Carlo dropout on `rows` sample rows (from x.npy if given, else random 0/1). */
  predict: { args: { rows: number; samples: number }; result: Predictions };
  /** predict(x.npy) against Python's y.npy. */
  parity: { args: { x: File; y: File }; result: Parity };
}

export type RequestName = keyof Requests;

export interface Predictions {
  /** Where the rows came from. */
  source: string;
  inputShape: number[];
  rows: Array<{ predict: number[]; again: number[]; mean: number[]; std: number[] }>;
  samples: number;
}

export interface Parity {
  rows: number;
  outputs: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** The tolerance the README states for converted models (float32 summation order). */
  tolerance: number;
  backend: string;
}

export type ToWorker = { [K in RequestName]: { id: number; name: K; args: Requests[K]['args'] } }[RequestName];

export type FromWorker =
  | { id: number; kind: 'progress'; fraction: number; stage: string }
  | { id: number; kind: 'done'; result: unknown }
  | { id: number; kind: 'failed'; code: string | null; message: string };
