/**
 * Model weights as bytes (for the IndexedDB / file caches written elsewhere).
 *
 * Layout: "ULW1" magic (4 bytes) · uint32 LE header length H · H bytes UTF-8 JSON header
 * `{format: 1, config, params: [{name, kind, shape}]}` · zero padding to a multiple of 4 · the float32 LE
 * values of every param in `params` order.
 */
import type { Model, ModelConfig, ParamKind } from '../types';
import { LabError } from '../types';
import { createModel } from '../models';
import { Rng } from '../rng';

const MAGIC = [0x55, 0x4c, 0x57, 0x31]; // "ULW1"

export interface WeightsHeader {
  format: 1;
  config: ModelConfig;
  params: { name: string; kind: ParamKind; shape: number[] }[];
}

export interface DecodedWeights {
  header: WeightsHeader;
  weights: Float32Array[];
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encode the model's config, parameter names/shapes and values. */
export async function serializeWeights(model: Model): Promise<Uint8Array> {
  return encodeWeights(
    {
      format: 1,
      config: model.config,
      params: model.params.map((p) => ({ name: p.name, kind: p.kind, shape: [...p.variable.shape] })),
    },
    await model.getWeights(),
  );
}

export function encodeWeights(header: WeightsHeader, weights: Float32Array[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 4) * 4;
  const total = weights.reduce((a, w) => a + w.length, 0);
  const out = new Uint8Array(start + total * 4);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  let off = start;
  for (const w of weights) {
    if (littleEndian) out.set(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), off);
    else {
      const dv = new DataView(out.buffer);
      for (let i = 0; i < w.length; i++) dv.setFloat32(off + 4 * i, w[i], true);
    }
    off += w.byteLength;
  }
  return out;
}

/** Decode bytes written by `serializeWeights` (validates magic, header and length). */
export function decodeWeights(bytes: Uint8Array): DecodedWeights {
  const fail = (m: string) => new LabError(m, 'decodeWeights');
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw fail('not a weights file (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hl = dv.getUint32(4, true);
  if (8 + hl > bytes.length) throw fail('truncated header');
  let header: WeightsHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hl)));
  } catch {
    throw fail('unreadable header');
  }
  if (header.format !== 1 || !header.config || !Array.isArray(header.params)) throw fail('unsupported header');
  let off = Math.ceil((8 + hl) / 4) * 4;
  const weights: Float32Array[] = [];
  for (const p of header.params) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (off + 4 * n > bytes.length) throw fail(`truncated data at ${p.name}`);
    const w = new Float32Array(n);
    for (let i = 0; i < n; i++) w[i] = dv.getFloat32(off + 4 * i, true);
    weights.push(w);
    off += 4 * n;
  }
  if (off !== bytes.length) throw fail(`${bytes.length - off} trailing bytes`);
  return { header, weights };
}

/**
 * Load bytes into an existing model (config, names and shapes must match) — or, with no model, decode them.
 * Returns the decoded header.
 */
export function deserializeWeights(model: Model, bytes: Uint8Array): WeightsHeader;
export function deserializeWeights(bytes: Uint8Array): DecodedWeights;
export function deserializeWeights(a: Model | Uint8Array, b?: Uint8Array): WeightsHeader | DecodedWeights {
  if (a instanceof Uint8Array) return decodeWeights(a);
  const model = a;
  const { header, weights } = decodeWeights(b!);
  const c = model.config,
    h = header.config;
  if (c.arch !== h.arch || c.width !== h.width || c.numClasses !== h.numClasses) {
    throw new LabError(
      `weights are for ${h.arch} w${h.width} (${h.numClasses} classes), model is ${c.arch} w${c.width} (${c.numClasses} classes)`,
      'deserializeWeights',
    );
  }
  if (header.params.length !== model.params.length) throw new LabError('parameter count differs', 'deserializeWeights');
  header.params.forEach((p, i) => {
    const q = model.params[i];
    if (p.name !== q.name || p.shape.join('x') !== q.variable.shape.join('x')) {
      throw new LabError(
        `parameter ${i}: file has ${p.name} [${p.shape}], model has ${q.name} [${q.variable.shape}]`,
        'deserializeWeights',
      );
    }
  });
  model.setWeights(weights);
  return header;
}

/** A new model built from serialized bytes. */
export function modelFromBytes(bytes: Uint8Array): Model {
  const { header, weights } = decodeWeights(bytes);
  const m = createModel(header.config, new Rng('deserialize'));
  m.setWeights(weights);
  return m;
}
