/**
 * NumPy `.npy` files, versions 1.0, 2.0 and 3.0
 * (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * magic `\x93NUMPY`, major, minor, header length (uint16 in v1, uint32 in v2/v3),
 * a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
 * padded with spaces and `\n`, then the raw C-order elements.
 *
 * Reading accepts little-endian float32/float64/int32/int64/bool/uint8/int8;
 * writing reproduces numpy's own bytes (numpy >= 1.23 header padding).
 */
import { DataError } from './errors';
import { safeName } from '../util/readGate';
import { allocate, DType, elementCount, formatShape, ITEM_SIZE, makeArray, NdArray } from './ndarray';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAGIC_LEN = 8; // magic + major + minor
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/** What the header says, before any element is read. */
export interface NpyHeader {
  version: [number, number];
  dtype: DType;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

const DESCR_OF: Readonly<Record<DType, string>> = {
  float32: '<f4',
  float64: '<f8',
  int32: '<i4',
  int64: '<i8',
  bool: '|b1',
  uint8: '|u1',
  int8: '|i1',
};

/** kind+size (no byte order) → dtype. */
const DTYPE_OF: Readonly<Record<string, DType>> = {
  f4: 'float32',
  f8: 'float64',
  i4: 'int32',
  i8: 'int64',
  b1: 'bool',
  u1: 'uint8',
  i1: 'int8',
};

/** True when `bytes` starts with the `.npy` magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Reads the header only. Needs the first bytes of the file (the header is
 * usually within 128 bytes; v1 headers are at most 65 545 bytes).
 */
export function parseNpyHeader(bytes: Uint8Array, source = '<buffer>'): NpyHeader {
  if (!isNpy(bytes)) {
    throw new DataError('data/bad-magic', source, 'not a .npy file (missing the \\x93NUMPY magic)',
      'write it with np.save (a .npz archive needs the .npz extension)');
  }
  if (bytes.length < MAGIC_LEN + 2) throw truncatedHeader(source);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  let headerLen: number;
  let start: number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major === 1) {
    headerLen = view.getUint16(MAGIC_LEN, true);
    start = MAGIC_LEN + 2;
  } else if (major === 2 || major === 3) {
    if (bytes.length < MAGIC_LEN + 4) throw truncatedHeader(source);
    headerLen = view.getUint32(MAGIC_LEN, true);
    start = MAGIC_LEN + 4;
  } else {
    throw new DataError('data/bad-header', source, `unsupported .npy format version ${major}.${minor}`,
      'save it with np.save from numpy >= 1.9');
  }
  if (bytes.length < start + headerLen) throw truncatedHeader(source);
  const raw = bytes.subarray(start, start + headerLen);
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(major === 3 ? 'utf8' : 'latin1');

  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    throw new DataError('data/bad-header', source, `unreadable .npy header (${safeName((e as Error).message, 120)})`, 're-save it with np.save');
  }
  if (!isDict(dict)) throw new DataError('data/bad-header', source, 'the .npy header is not a dict', 're-save it with np.save');
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new DataError('data/bad-header', source, "the .npy header lacks 'descr', 'fortran_order' or 'shape'", 're-save it with np.save');
  }
  // numpy's own reader refuses any other key, and a shape that is not a tuple (numpy.lib.format, _read_array_header).
  const extra = [...dict.keys()].find((k) => k !== 'descr' && k !== 'fortran_order' && k !== 'shape');
  if (extra !== undefined) throw new DataError('data/bad-header', source, `the .npy header has a key '${safeName(extra, 40)}' besides 'descr', 'fortran_order' and 'shape'`, 're-save it with np.save');
  if (shape instanceof PyList) throw new DataError('data/bad-header', source, "'shape' is a list; numpy writes a tuple, e.g. (40, 8)", 're-save it with np.save');
  if (typeof fortran !== 'boolean') {
    throw new DataError('data/bad-header', source, "'fortran_order' is not True/False", 're-save it with np.save');
  }
  if (!Array.isArray(shape) || !shape.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new DataError('data/bad-header', source, "'shape' is not a tuple of non-negative integers", 're-save it with np.save');
  }
  const dtype = dtypeFromDescr(descr, source);
  // A 0-d or 1-d array is the same in both orders; numpy writes fortran_order False for those.
  if (fortran && shape.filter((d) => d !== 1).length > 1) {
    throw new DataError('data/fortran-order', source, `array ${formatShape(shape)} is stored in Fortran (column-major) order`,
      'save it with np.save(path, np.ascontiguousarray(x))');
  }
  return { version: [major, minor], dtype, shape, dataOffset: start + headerLen };
}

/** np.save writes exactly the elements its header announces: more bytes mean another array was appended, or a corrupt header. */
export function trailingBytes(source: string, header: NpyHeader, nbytes: number, available: number): DataError {
  return new DataError('data/trailing-bytes', source,
    `${available - nbytes} bytes follow the ${formatShape(header.shape)} ${header.dtype} the header announces (${nbytes} bytes of data)`,
    'the header does not describe the data (two arrays in one file?); save each array with np.save');
}

function truncatedHeader(source: string): DataError {
  return new DataError('data/truncated', source, 'the file ends inside the .npy header', 'the file is incomplete; save it again');
}

function dtypeFromDescr(descr: PyValue, source: string): DType {
  if (typeof descr !== 'string') {
    throw new DataError('data/unsupported-dtype', source, 'structured (record) dtypes are not supported',
      'save each field as its own array, e.g. np.savez(path, a=x["a"], b=x["b"])');
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const order = m?.[1] ?? '';
  const kind = m?.[2] ?? '';
  const size = m?.[3] ?? '';
  if (kind === 'O') {
    throw new DataError('data/pickle', source, "object dtype ('|O') needs Python pickle, which is never loaded",
      'convert it to numbers first, e.g. np.save(path, np.asarray(x, dtype=np.float32))');
  }
  const dtype = m ? DTYPE_OF[kind + size] : undefined;
  if (dtype === undefined) {
    throw new DataError('data/unsupported-dtype', source, `dtype '${safeName(descr, 40)}' is not supported (float32, float64, int32, int64, bool, uint8, int8 are)`,
      suggestCast(kind));
  }
  if (order === '>' && ITEM_SIZE[dtype] > 1) {
    throw new DataError('data/unsupported-dtype', source, `dtype '${safeName(descr, 40)}' is big-endian`,
      `convert it to little-endian, e.g. np.save(path, x.astype('<${kind}${size}'))`);
  }
  return dtype;
}

function suggestCast(kind: string): string {
  if (kind === 'f') return 'convert it, e.g. np.save(path, x.astype(np.float32))';
  if (kind === 'i' || kind === 'u') return 'convert it, e.g. np.save(path, x.astype(np.int64))';
  if (kind === 'U' || kind === 'S') return 'encode strings as integer class ids, e.g. np.unique(x, return_inverse=True)[1]';
  return 'convert it to a supported dtype, e.g. np.save(path, x.astype(np.float32))';
}

/** Parses a whole `.npy` file. The result owns a copy of its elements. */
export function parseNpy(bytes: Uint8Array, source = '<buffer>'): NdArray {
  const header = parseNpyHeader(bytes, source);
  const count = elementCount(header.shape);
  const nbytes = count * ITEM_SIZE[header.dtype];
  const available = bytes.length - header.dataOffset;
  if (available < nbytes) {
    throw new DataError('data/truncated', source,
      `the header announces ${formatShape(header.shape)} ${header.dtype} (${nbytes} bytes of data) but only ${available} bytes follow`,
      'the file is incomplete; save it again');
  }
  if (available > nbytes) throw trailingBytes(source, header, nbytes, available);
  const data = allocate(header.dtype, count);
  // Copy byte-wise: the source offset need not be aligned for the element type.
  new Uint8Array(data.buffer, data.byteOffset, nbytes).set(bytes.subarray(header.dataOffset, header.dataOffset + nbytes));
  return makeArray(header.dtype, header.shape, data as never);
}

/** The header text numpy writes for this array (without magic, length and padding). */
function headerText(a: NdArray): string {
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let text = `{'descr': '${DESCR_OF[a.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  if (a.shape.length > 0) text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(a.shape[0]).length));
  return text;
}

/** Serialises an array as numpy's `np.save` does (version 1.0, byte for byte). */
export function writeNpy(a: NdArray): Buffer {
  const text = Buffer.from(headerText(a), 'latin1');
  let version = 1;
  let lenBytes = 2;
  const fixed = (lb: number) => MAGIC_LEN + lb + text.length + 1;
  let padLen = ARRAY_ALIGN - (fixed(lenBytes) % ARRAY_ALIGN);
  if (text.length + 1 + padLen > 0xffff) {
    version = 2;
    lenBytes = 4;
    padLen = ARRAY_ALIGN - (fixed(lenBytes) % ARRAY_ALIGN);
  }
  const headerLen = text.length + padLen + 1;
  const dataBytes = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = Buffer.alloc(MAGIC_LEN + lenBytes + headerLen + dataBytes.length, 0x20);
  Buffer.from(MAGIC).copy(out, 0);
  out[6] = version;
  out[7] = 0;
  if (lenBytes === 2) out.writeUInt16LE(headerLen, MAGIC_LEN);
  else out.writeUInt32LE(headerLen, MAGIC_LEN);
  text.copy(out, MAGIC_LEN + lenBytes);
  const dataStart = MAGIC_LEN + lenBytes + headerLen;
  out[dataStart - 1] = 0x0a; // '\n'
  dataBytes.copy(out, dataStart);
  return out;
}

// ---- A Python-literal reader: just enough for .npy headers -----------------

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue> | PyList;

/** A Python list (`[…]`), told apart from a tuple (`(…)`, a plain array) because .npy shapes are tuples. */
class PyList {
  constructor(readonly items: PyValue[]) {}
}

function isDict(v: PyValue): v is Map<string, PyValue> {
  return v instanceof Map;
}

const TOKEN = /(True|False|None|-?\d+)L?/y;

/** Parses dicts, tuples, lists, quoted strings, ints, True/False/None (the grammar of `repr` of a header). */
function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r')) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i}`);
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return m; }
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a string');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        m.set(k as string, value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) { i++; return close === ']' ? new PyList(items) : items; }
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[1] === 'True') return true;
    if (m[1] === 'False') return false;
    if (m[1] === 'None') return null;
    return Number(m[1]);
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}
