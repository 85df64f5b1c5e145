// The model summary shown by `inspect`, the editor's hover and the hypothesis checks.
import { defaultOpset, GraphIndex, ParameterInfo, TensorType, valueInfoType } from './graph';
import { LoadedModel } from './load';

export interface IoSummary {
  name: string;
  dtype: string;
  /** Static dims are numbers, symbolic dims their names, unknown dims null. */
  shape: (number | string | null)[] | null;
}

export interface ModelSummary {
  path: string;
  sha256: string;
  producer: string;
  irVersion: number;
  opset: number;
  opsets: Record<string, number>;
  inputs: IoSummary[];
  outputs: IoSummary[];
  /** `count`: elements of the trained weights (the LLC's d); `tensors`: weights and running statistics (`role`);
   *  `excluded`: float tensors the weights rule leaves out (masks, index-only and unused tensors), with the reason. */
  parameters: { count: number; tensors: ParameterInfo[]; excluded: { name: string; shape: number[]; reason: string }[] };
  ops: Record<string, number>;
  nodes: number;
}

function io(name: string, t: TensorType): IoSummary {
  return { name, dtype: t.dtype, shape: t.shape };
}

export function summarizeModel(model: LoadedModel): ModelSummary {
  const { proto } = model;
  const index = GraphIndex.of(proto);
  const tensors = index.parameters();
  return {
    path: model.path,
    sha256: model.sha256,
    producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    irVersion: Number(proto.irVersion),
    opset: defaultOpset(proto),
    opsets: Object.fromEntries(proto.opsetImport.map((o) => [o.domain || 'ai.onnx', Number(o.version)])),
    inputs: proto.graph.input.filter((v) => index.graphInputs.includes(v.name)).map((v) => io(v.name, valueInfoType(v))),
    outputs: proto.graph.output.map((v) => io(v.name, valueInfoType(v))),
    parameters: {
      count: tensors.reduce((a, p) => a + (p.role === 'weight' ? p.size : 0), 0),
      tensors,
      excluded: index.storedTensors().filter((t) => t.role === 'mask' || t.role === 'index' || t.role === 'unused')
        .map((t) => ({ name: t.name, shape: t.shape, reason: t.reason ?? '' })),
    },
    ops: index.opHistogram(),
    nodes: proto.graph.node.length,
  };
}
