/**
 * A real Keras .h5 rewritten by the HDF5 library (h5wasm) with creation-order tracking on every
 * group: the same model, in a layout the TypeScript HDF5 reader leaves to h5wasm. Pages that
 * convert it load h5wasm, on demand.
 */
import h5wasm from 'h5wasm';

type Group = InstanceType<typeof h5wasm.Group>;

export async function withCreationOrder(bytes: Uint8Array): Promise<Uint8Array> {
  const mod = await h5wasm.ready;
  const id = Math.random().toString(36).slice(2);
  const [inPath, outPath] = [`/copy-in-${id}.h5`, `/copy-out-${id}.h5`];
  mod.FS.writeFile(inPath, bytes);
  const source = new h5wasm.File(inPath, 'r');
  const target = new h5wasm.File(outPath, 'w', { track_order: true });
  try {
    copyGroup(source, target);
  } finally {
    target.close();
    source.close();
  }
  const out = mod.FS.readFile(outPath);
  mod.FS.unlink(inPath);
  mod.FS.unlink(outPath);
  return out;
}

function copyGroup(from: Group, to: Group): void {
  for (const [name, attr] of Object.entries(from.attrs)) to.create_attribute(name, attr.value as never, attr.shape, attr.dtype);
  for (const key of from.keys()) {
    const child = from.get(key);
    if (child instanceof h5wasm.Group) copyGroup(child, to.create_group(key, true));
    else if (child instanceof h5wasm.Dataset) to.create_dataset({ name: key, data: child.value as never, shape: child.shape, dtype: child.dtype });
  }
}
