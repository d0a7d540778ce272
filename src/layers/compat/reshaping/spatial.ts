/**
 * What the 1D/3D cropping, padding and upsampling layers share: their spatial axes (1.. for
 * channels_last, 2.. for channels_first) and Keras' forms of per-axis (start, end) pairs.
 */
import { layers } from '@tensorflow/tfjs-layers';

type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;
export type Shape = Array<number | null>;
export type Pairs = Array<[number, number]>;

export interface SpatialArgs extends LayerArgs {
  /** 'channelsLast' (Keras 'channels_last', the default) or 'channelsFirst'. */
  dataFormat?: 'channelsLast' | 'channelsFirst';
}

/** One number, one (start, end) pair for a 1D layer, or a pair (or number) per axis. */
export function pairs(v: number | number[] | number[][] | undefined | null, rank: number, fallback: number): Pairs {
  if (v === undefined || v === null) return Array.from({ length: rank }, () => [fallback, fallback] as [number, number]);
  if (typeof v === 'number') return Array.from({ length: rank }, () => [v, v] as [number, number]);
  if (rank === 1 && v.length === 2 && typeof v[0] === 'number') return [[v[0] as number, v[1] as number]];
  return (v as Array<number | number[]>).map((p) => (Array.isArray(p) ? [p[0], p[1] ?? p[0]] : [p, p]) as [number, number]);
}

export abstract class SpatialLayer extends layers.Layer {
  protected abstract readonly spatialRank: number;
  readonly dataFormat: 'channelsLast' | 'channelsFirst';

  constructor(args: SpatialArgs) {
    super(args);
    this.dataFormat = args.dataFormat ?? 'channelsLast';
  }

  /** The input axes that are spatial. */
  protected spatialAxes(): number[] {
    const first = this.dataFormat === 'channelsFirst' ? 2 : 1;
    return Array.from({ length: this.spatialRank }, (_, i) => first + i);
  }

  protected firstShape(inputShape: Shape | Shape[]): Shape {
    return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape)];
  }
}
