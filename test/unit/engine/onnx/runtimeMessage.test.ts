// onnxruntime's error text as a user reads it: no status prefix, no C++ source path (absolute or bare), no signature.
import { strict as assert } from 'node:assert';
import { runtimeMessage } from '../../../../src/engine/onnx/runtimeMessage';

describe('onnxruntime messages', () => {
  it('drops the status prefix, absolute and bare C++ source locations and the signature after them', () => {
    assert.equal(runtimeMessage("[ONNXRuntimeError] : 1 : FAIL : tensorprotoutils.cc:1540 ValidateEmbeddedTensorProtoDataSizeAndShape Initializer 'w' has no data"),
      "ValidateEmbeddedTensorProtoDataSizeAndShape Initializer 'w' has no data");
    assert.equal(runtimeMessage('[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:560 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 7 by 8'),
      'axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 7 by 8');
    // A file name without a line number is text, not a location.
    assert.equal(runtimeMessage('[ONNXRuntimeError] : 3 : NO_SUCHFILE : Load model from model.onnx failed'), 'Load model from model.onnx failed');
  });
});
