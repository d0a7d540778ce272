/**
 * The order Keras 3 keeps a functional model's layers in (`Functional._operations`, from
 * keras/src/ops/function.py `map_graph`): by depth — the longest path to an output — deepest
 * first, ties broken by the order a depth-first walk from the outputs first reaches them
 * (through each call's inputs in order). config.json lists layers so, and saving_lib numbers
 * weight groups (dense, dense_1, ...) in this order, so exportKeras writes both in it; tfjs'
 * own layer order can differ (several inputs, calls with keyword tensors).
 */
type Node = { inboundLayers: Layer[]; nodeIndices: number[]; tensorIndices: number[] };
type Layer = { name: string; inboundNodes: Node[]; getClassName(): string };
export interface Graph {
  layers: Layer[];
  outputLayers: Layer[];
  outputLayersNodeIndices: number[];
  containerNodes: Set<string>;
}

export function kerasFunctionalOrder(model: Graph): Layer[] {
  const inModel = (layer: Layer, index: number): boolean => model.containerNodes.has(`${layer.name}_ib-${index}`);
  const nodeKey = (layer: Layer, index: number): string => `${layer.name}#${index}`;
  const opIndex = new Map<Layer, number>();
  const finished = new Set<string>();
  const decreasing: Array<{ layer: Layer; index: number }> = [];
  const visit = (layer: Layer, index: number): void => {
    const key = nodeKey(layer, index);
    if (finished.has(key)) return;
    if (!opIndex.has(layer)) opIndex.set(layer, opIndex.size);
    const node = layer.inboundNodes[index];
    if (node) node.inboundLayers.forEach((l, i) => visit(l, node.nodeIndices[i]));
    finished.add(key);
    decreasing.push({ layer, index });
  };
  model.outputLayers.forEach((l, i) => visit(l, model.outputLayersNodeIndices[i]));
  const nodeDepth = new Map<string, number>();
  const opDepth = new Map<Layer, number>();
  for (const { layer, index } of [...decreasing].reverse()) {
    const key = nodeKey(layer, index);
    const depth = Math.max(nodeDepth.get(key) ?? 0, opDepth.get(layer) ?? 0);
    opDepth.set(layer, depth);
    nodeDepth.set(key, depth);
    const node = layer.inboundNodes[index];
    node?.inboundLayers.forEach((l, i) => {
      const parent = nodeKey(l, node.nodeIndices[i]);
      if (!inModel(l, node.nodeIndices[i]) && !finished.has(parent)) return;
      nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
    });
  }
  // Inputs no output depends on: depth 0, before everything reached.
  for (const l of model.layers) {
    if (!opDepth.has(l) && l.getClassName() === 'InputLayer') {
      opDepth.set(l, 0);
      opIndex.set(l, -1);
    }
  }
  const ordered = model.layers.filter((l) => opDepth.has(l));
  ordered.sort((a, b) => (opDepth.get(b) as number) - (opDepth.get(a) as number) || (opIndex.get(a) as number) - (opIndex.get(b) as number));
  // Layers outside the outputs' graph (tfjs keeps them) follow in tfjs' order.
  return [...ordered, ...model.layers.filter((l) => !opDepth.has(l))];
}
