// Where a cycle model keeps its mutable state: typed arrays handed out by a StateRegion, in the order
// the model asks for them. A model starts with a private region (each array its own buffer); attached to
// a machine's WebAssembly.Memory (layout.ts MODEL_STATE_OFF) it asks for the same arrays again, in the
// same order, from a region inside that memory, which copies each old array's contents into the new
// view. From then on the model's JavaScript and the WebAssembly replay of translated blocks
// (rocket-wasm.ts) read and write one state, at byte offsets the replay code has as constants.

export type StateView = Float64Array | Int32Array | Uint8Array | Uint16Array;

export class StateRegion {
  /** The arrays handed out so far, in order. */
  readonly views: StateView[] = [];
  private next: number;

  /**
   * buffer null: a private region (every array a fresh one). Otherwise arrays are views of `buffer` from
   * byte `base` up to `end`. Either way each is filled from old[i] (the previous region's i-th array)
   * when `old` is given.
   */
  constructor(
    private readonly buffer: ArrayBufferLike | null = null,
    base = 0,
    private readonly end = 0,
    private readonly old: readonly StateView[] | null = null,
  ) {
    this.next = base;
  }

  /** Bytes the arrays of `views` take when laid out by a region (with alignment). */
  static bytesOf(views: readonly StateView[]): number {
    let n = 0;
    for (const v of views) n = align(n, v.BYTES_PER_ELEMENT) + v.byteLength;
    return n;
  }

  f64(n: number): Float64Array {
    return this.take(n, 8, (b, o) => new Float64Array(b, o, n), () => new Float64Array(n));
  }

  i32(n: number): Int32Array {
    return this.take(n, 4, (b, o) => new Int32Array(b, o, n), () => new Int32Array(n));
  }

  u16(n: number): Uint16Array {
    return this.take(n, 2, (b, o) => new Uint16Array(b, o, n), () => new Uint16Array(n));
  }

  u8(n: number): Uint8Array {
    return this.take(n, 1, (b, o) => new Uint8Array(b, o, n), () => new Uint8Array(n));
  }

  private take<T extends StateView>(n: number, size: number, view: (b: ArrayBufferLike, o: number) => T, fresh: () => T): T {
    let v: T;
    if (this.buffer === null) v = fresh();
    else {
      const o = align(this.next, size);
      if (o + n * size > this.end) throw new Error('model state does not fit its region');
      v = view(this.buffer, o);
      this.next = o + n * size;
    }
    const prev = this.old?.[this.views.length];
    if (prev !== undefined) v.set(prev as never);
    this.views.push(v);
    return v;
  }
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
