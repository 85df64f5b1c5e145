// Reading and making node attributes.
import { AttributeProto, AttributeType, NodeProto, TensorProto } from './proto';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, fallback: number): number;
export function attrInt(node: NodeProto, name: string): number | undefined;
export function attrInt(node: NodeProto, name: string, fallback?: number): number | undefined {
  const a = attr(node, name);
  return a ? Number(a.i ?? 0) : fallback;
}

export function attrFloat(node: NodeProto, name: string, fallback: number): number;
export function attrFloat(node: NodeProto, name: string): number | undefined;
export function attrFloat(node: NodeProto, name: string, fallback?: number): number | undefined {
  const a = attr(node, name);
  return a ? Number(a.f ?? 0) : fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? (a.ints ?? []).map(Number) : undefined;
}

export function attrString(node: NodeProto, name: string, fallback: string): string;
export function attrString(node: NodeProto, name: string): string | undefined;
export function attrString(node: NodeProto, name: string, fallback?: string): string | undefined {
  const a = attr(node, name);
  return a?.s ? decoder.decode(a.s) : a ? '' : fallback;
}

export function attrTensor(node: NodeProto, name: string): TensorProto | undefined {
  return attr(node, name)?.t;
}

export type AttrValue = number | string | number[] | TensorProto | { floats: number[] } | { float: number };

/**
 * Makes an attribute. Integers and integer lists become INT/INTS; use `{ float: x }` / `{ floats: [...] }`
 * for FLOAT/FLOATS, since a JS number cannot say which it is.
 */
export function makeAttribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: encoder.encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value };
}
