/**
 * Small HDF5 files that ask for gigabytes (issue 16, item 12: a 2.2 MB file cost 3.9 GB, a 1 MB
 * one 1.9 GB) end in RESOURCE_LIMIT, having decoded no more than the decode budget allows:
 * 100x the input, at least 128 MiB. Counted by the budget's own counter, never by a clock or
 * by the process's memory. The files are made by make_costly_hdf5.py (h5py).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { readSource } from '../../../src/convert/read/read_source.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { DecodeBudget, DECODE_FLOOR_BYTES } from '../../../src/formats/decode_budget.js';
import { Hdf5Thread } from '../../../src/formats/hdf5/h5wasm/thread.js';
import { refusal } from '../../helpers/errors.js';

const DATA = join(fileURLToPath(new URL('.', import.meta.url)), 'costly');
const FILL_VALUE = join(DATA, 'fill_value_model.h5');
const ATTR_REFS = join(DATA, 'attr_refs.h5');
const LENGTH_LIE = join(DATA, 'length_lie.h5');
const LENGTH_LIE_FALLBACK = join(DATA, 'length_lie_fallback.h5');


describe('the decode budget', () => {
  it('is 100x the input, and never less than 128 MiB', () => {
    expect(new DecodeBudget(10).limit).toBe(DECODE_FLOOR_BYTES);
    expect(new DecodeBudget(10 * DECODE_FLOOR_BYTES).limit).toBe(1000 * DECODE_FLOOR_BYTES);
    expect(new DecodeBudget(1000, 1e6).limit).toBe(1e9);
    const b = new DecodeBudget(0);
    b.charge(DECODE_FLOOR_BYTES, 'x.h5', 'all of it');
    const e = (() => {
      try {
        b.charge(1, 'x.h5', "dataset '/d'");
      } catch (x) {
        return x as Keras2TfjsError;
      }
      return null;
    })();
    expect(e?.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(e?.message).toMatch(/^x\.h5: dataset '\/d' decodes to 1 more bytes, past the 134217728-byte budget .*--max-decode-ratio/);
    expect(b.used).toBe(DECODE_FLOOR_BYTES);
  });
});

describe('small HDF5 files that ask for gigabytes', () => {
  it('attr_refs.h5 (1 MB): a model_config of 400 references to one 1 MB string stops at the budget, in the direct reader', async () => {
    const budget = new DecodeBudget(statSync(ATTR_REFS).size);
    const e = await refusal(readSource(ATTR_REFS, { budget }));
    expect(e.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(e.message).toMatch(/^attr_refs\.h5: attribute 'model_config' decodes to 1000000 more bytes, past the 134217728-byte budget/);
    // 134 of the 400 strings, then the refusal: 134 MB decoded, not 400 MB (nor the 1.9 GB the HDF5 library took).
    expect(budget.used).toBeLessThanOrEqual(budget.limit);
    expect(budget.used).toBeGreaterThan(budget.limit - 1_000_000);
    // Refused by the budget, not declined: the file was never handed to the HDF5 library.
    expect(Hdf5Thread.running).toBe(false);
  });

  it('fill_value_model.h5 (2.2 MB): a never-written 2 GB kernel is refused when described, before a byte of it is decoded', async () => {
    const budget = new DecodeBudget(statSync(FILL_VALUE).size);
    const e = await refusal(readSource(FILL_VALUE, { budget }));
    expect(e.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(e.message).toMatch(/^fill_value_model\.h5: dataset '\/model_weights\/dense\/dense\/kernel:0' \(shape \[100000, 5000\]\) decodes to 2000000000 more bytes, past the 223141600-byte budget for this 2231416-byte input \(100× its size/);
    // Only attribute values were decoded (the model config, layer and weight names).
    expect(budget.used).toBeLessThan(1 << 20);
    const c = await refusal(convert(FILL_VALUE));
    expect(c.code).toBe(ErrorCode.RESOURCE_LIMIT);
  });

  it('maxDecodeRatio raises the budget for a genuine file: the 2 GB kernel is then described (and not read)', async () => {
    expect((await refusal(convert(FILL_VALUE, { maxDecodeRatio: 2 }))).message).toMatch(/past the 134217728-byte budget for this 2231416-byte input \(2× its size, at least 134217728/);
    const source = await readSource(FILL_VALUE, { maxDecodeRatio: 1000 });
    try {
      expect(source.layerWeights.get('dense')!.map((w) => w.shape)).toEqual([[100000, 5000], [5000]]);
    } finally {
      await source.close();
    }
  });

  it('length_lie.h5 (6 KB): a model_config string declaring 1.5 GB is refused by the direct reader before it is read', async () => {
    const e = await refusal(readSource(LENGTH_LIE));
    expect(e.code).toBe(ErrorCode.RESOURCE_LIMIT);
    // The declared length itself, before reading: the HDF5 library could only have said so after reading it.
    expect(e.message).toMatch(/^length_lie\.h5: attribute 'model_config' decodes to 1500000000 more bytes, past the 134217728-byte budget/);
  });

  it('length_lie_fallback.h5: the same lie read by the HDF5 library (h5wasm) stops when its heap would grow past the budget', async () => {
    const e = await refusal(readSource(LENGTH_LIE_FALLBACK));
    expect(e.code).toBe(ErrorCode.RESOURCE_LIMIT);
    // 384 MB: the 128 MiB budget's remainder and 256 MB for HDF5's own work; the 1.5 GB never allocated.
    expect(e.message).toMatch(/^length_lie_fallback\.h5: the HDF5 library needed more than 384 MB of memory to read attribute 'model_config' of '\/' and was stopped .*--max-decode-ratio/);
    // The thread was stopped with its heap; the next file gets a fresh one and reads normally.
    const again = await refusal(readSource(LENGTH_LIE_FALLBACK));
    expect(again.code).toBe(ErrorCode.RESOURCE_LIMIT);
  });
});
