/**
 * Where the engine's big arrays live: the ordinary heap, or SharedArrayBuffers that
 * worker threads read and write without copying (see parallel-lists.ts).
 */
export type Memory = 'heap' | 'shared';

export function int32Array(n: number, memory: Memory = 'heap'): Int32Array {
  return memory === 'shared' ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
}

export function float32Array(n: number, memory: Memory = 'heap'): Float32Array {
  return memory === 'shared' ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n);
}

export function float64Array(n: number, memory: Memory = 'heap'): Float64Array {
  return memory === 'shared' ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

/** The array itself when it is already shared, else a shared copy. */
export function shared<T extends Int32Array | Float32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}
