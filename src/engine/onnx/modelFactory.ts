// Assembles a ModelProto from builder output: used by generated graphs (gradients, fixtures, examples).
import { GraphBuilder } from './builder';
import { ModelProto, ValueInfo } from './proto';
import { ENGINE_VERSION } from '../version';

export interface ModelParts {
  name: string;
  builder: GraphBuilder;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  producer?: string;
}

export const ENGINE_PRODUCER = 'circuit-thermometer';

export function assembleModel(parts: ModelParts): ModelProto {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: parts.builder.opset }],
    producerName: parts.producer ?? ENGINE_PRODUCER,
    producerVersion: ENGINE_VERSION,
    domain: '',
    modelVersion: 1,
    docString: '',
    metadataProps: [],
    functions: [],
    graph: {
      name: parts.name,
      node: parts.builder.nodes,
      initializer: parts.builder.initializers,
      input: parts.inputs,
      output: parts.outputs,
      valueInfo: [],
    },
  };
}
