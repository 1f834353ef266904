/**
 * The allow-list: the only Python globals a state-dict pickle may use, each rebuilt here as plain data.
 *
 * `torch.save(model.state_dict())` pickles an `OrderedDict` of tensors; each tensor is a call to
 * `torch._utils._rebuild_tensor_v2` on a storage named by a persistent id whose type is a storage class
 * (`torch.FloatStorage`, …). Those are the globals this file knows. Python would import and call them; the
 * reader instead reads their arguments as a description (which storage, offset, shape, strides) and builds a
 * {@link TensorRecord}. Every other global is refused when the pickle applies it:
 * - NEWOBJ of an unknown class means the file pickles a Python object, typically a whole model saved with
 *   `torch.save(model)`: refused as `pickled-model`, naming the class;
 * - REDUCE of an unknown global (`os.system`, `builtins.exec`, `torch._utils._rebuild_qtensor`, …) is
 *   refused as `unknown-global`, naming it.
 */
import { WeightsFileError } from '../../errors.js';
import type { PickleHooks } from './pickle-opcodes.js';
import {
  PickleDict,
  PickleGlobal,
  PickleTuple,
  type PickleValue,
  StorageRef,
  type StorageDtype,
  TensorRecord,
  describePickleValue,
} from './pickle-value.js';
import type { StorageTable } from './storage-table.js';

/** Storage classes by qualified name. `torch.cuda.*` ones come from files saved on a GPU by torch < 1.13. */
const STORAGE_CLASSES: { readonly [qualifiedName: string]: StorageDtype } = (() => {
  const classes: [string, StorageDtype][] = [
    ['HalfStorage', 'float16'],
    ['BFloat16Storage', 'bfloat16'],
    ['FloatStorage', 'float32'],
    ['DoubleStorage', 'float64'],
    ['CharStorage', 'int8'],
    ['ByteStorage', 'uint8'],
    ['ShortStorage', 'int16'],
    ['IntStorage', 'int32'],
    ['LongStorage', 'int64'],
    ['BoolStorage', 'bool'],
  ];
  const table: { [name: string]: StorageDtype } = {};
  for (const [name, dtype] of classes) {
    table[`torch.${name}`] = dtype;
    table[`torch.cuda.${name}`] = dtype;
  }
  return table;
})();

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR_V2 = 'torch._utils._rebuild_tensor_v2';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';

/** The globals the reader interprets, for messages. */
export const ALLOWED_GLOBALS: readonly string[] = [
  ORDERED_DICT,
  REBUILD_TENSOR_V2,
  REBUILD_TENSOR,
  REBUILD_PARAMETER,
  'torch.{Half,BFloat16,Float,Double,Char,Byte,Short,Int,Long,Bool}Storage (also under torch.cuda, as storage types in persistent ids only)',
];

const ALLOW_LIST_HINT = `The reader interprets only ${ALLOWED_GLOBALS.join(', ')}, and never calls anything else.`;

/** Hooks that give REDUCE, NEWOBJ, BUILD and BINPERSID their allow-listed meaning, storages from `storages`. */
export function torchPickleHooks(storages: StorageTable): PickleHooks {
  return {
    apply(callable, args, opcode, where) {
      if (!(callable instanceof PickleGlobal)) {
        throw new WeightsFileError(
          'corrupt',
          `${opcode} of a ${describePickleValue(callable)}`,
          where,
          'Only globals can be applied: the file is corrupt.',
        );
      }
      const name = callable.qualifiedName;
      if (name === ORDERED_DICT) {
        if (args.items.length !== 0) {
          throw new WeightsFileError(
            'corrupt',
            `${ORDERED_DICT} with ${args.items.length} arguments`,
            where,
            'torch.save pickles an OrderedDict with no arguments, its items after.',
          );
        }
        return new PickleDict(true);
      }
      if (opcode === 'REDUCE') {
        if (name === REBUILD_TENSOR_V2) return rebuildTensor(args, 6, 7, where);
        if (name === REBUILD_TENSOR) return rebuildTensor(args, 4, 4, where);
        if (name === REBUILD_PARAMETER) return rebuildParameter(args, where);
        throw new WeightsFileError('unknown-global', name, where, ALLOW_LIST_HINT);
      }
      const torchScript = callable.module.startsWith('__torch__');
      throw new WeightsFileError(
        'pickled-model',
        name,
        where,
        torchScript
          ? 'The file is a TorchScript module (torch.jit.save), not a state dict. In Python, save its weights with ' +
              'torch.save(module.state_dict(), path) and read that file.'
          : `The file pickles a Python object of class ${name} (a whole model saved with torch.save(model)?), not a ` +
              'state dict. In Python, save torch.save(model.state_dict(), path) and read that file.',
      );
    },

    build(target, state, where) {
      if (target instanceof PickleDict && target.ordered && state instanceof PickleDict) {
        // OrderedDict.__reduce__ carries the instance's __dict__: for a state dict, its `_metadata`.
        for (const [key, value] of state.entries) {
          if (typeof key !== 'string') {
            throw new WeightsFileError(
              'corrupt',
              `an attribute named by a ${describePickleValue(key)}`,
              where,
              'Attribute names are strings: the file is corrupt.',
            );
          }
          target.attributes.set(key, value);
        }
        return;
      }
      if (target instanceof PickleGlobal) {
        throw new WeightsFileError('unknown-global', target.qualifiedName, where, ALLOW_LIST_HINT);
      }
      throw new WeightsFileError(
        'corrupt',
        `BUILD of a ${describePickleValue(target)} with a ${describePickleValue(state)}`,
        where,
        'A state dict sets state only on an OrderedDict (its _metadata).',
      );
    },

    persistentLoad(pid, where) {
      if (!(pid instanceof PickleTuple) || pid.items.length === 0) {
        throw new WeightsFileError(
          'corrupt',
          `persistent id ${describePickleValue(pid)}`,
          where,
          "torch's persistent ids are tuples ('storage', …).",
        );
      }
      const [kind, type] = pid.items;
      if (kind === 'module' && type instanceof PickleGlobal) {
        // The legacy format pickles a model's class (with its source) as a persistent id.
        throw new WeightsFileError(
          'pickled-model',
          type.qualifiedName,
          where,
          `The file pickles a whole model of class ${type.qualifiedName} (torch.save(model)), not a state dict. ` +
            'In Python, save torch.save(model.state_dict(), path) and read that file.',
        );
      }
      if (kind !== 'storage' || (pid.items.length !== 5 && pid.items.length !== 6)) {
        throw new WeightsFileError(
          'corrupt',
          `persistent id (${pid.items.map(describePickleValue).join(', ')})`,
          where,
          "torch's persistent ids are ('storage', type, key, location, size[, view]).",
        );
      }
      const [, storageType, key, location, numel, viewMetadata] = pid.items;
      if (!(storageType instanceof PickleGlobal)) {
        throw new WeightsFileError(
          'corrupt',
          `storage type ${describePickleValue(storageType)}`,
          where,
          'A storage type is a torch storage class.',
        );
      }
      const dtype = STORAGE_CLASSES[storageType.qualifiedName];
      if (dtype === undefined) {
        throw new WeightsFileError(
          'unknown-storage-type',
          storageType.qualifiedName,
          where,
          `The reader knows the storages of float16, bfloat16, float32, float64, int8, uint8, int16, int32, int64 and bool tensors. Convert the tensor in Python (for example .float()) before saving.`,
        );
      }
      if (typeof key !== 'string' || typeof location !== 'string') {
        throw new WeightsFileError(
          'corrupt',
          `storage key ${describePickleValue(key)} at ${describePickleValue(location)}`,
          where,
          'Storage keys and locations are strings.',
        );
      }
      const root = storages.get(key, dtype, count(numel, 'storage size', where), where);
      if (viewMetadata === undefined || viewMetadata === null) return root;
      if (
        !(viewMetadata instanceof PickleTuple) ||
        viewMetadata.items.length !== 3 ||
        typeof viewMetadata.items[0] !== 'string'
      ) {
        throw new WeightsFileError(
          'corrupt',
          `storage view ${describePickleValue(viewMetadata)}`,
          where,
          'A storage view is (key, offset, size).',
        );
      }
      const [viewKey, offset, size] = viewMetadata.items;
      return storages.view(
        root,
        viewKey as string,
        count(offset, 'storage view offset', where),
        count(size, 'storage view size', where),
        where,
      );
    },
  };
}

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`. */
function rebuildTensor(args: PickleTuple, min: number, max: number, where: string): TensorRecord {
  const items = args.items;
  if (items.length < min || items.length > max) {
    throw new WeightsFileError(
      'corrupt',
      `a tensor rebuilt from ${items.length} arguments`,
      where,
      `torch rebuilds a tensor from ${min === max ? min : `${min} or ${max}`}.`,
    );
  }
  const [storage, offset, size, stride, requiresGrad, hooks, metadata] = items;
  if (storage instanceof PickleGlobal)
    throw new WeightsFileError('unknown-global', storage.qualifiedName, where, ALLOW_LIST_HINT);
  if (!(storage instanceof StorageRef)) {
    throw new WeightsFileError(
      'corrupt',
      `a tensor on a ${describePickleValue(storage)}`,
      where,
      'A tensor views a storage named by a persistent id.',
    );
  }
  const shape = counts(size, 'size', where);
  const strides = counts(stride, 'stride', where);
  if (shape.length !== strides.length) {
    throw new WeightsFileError(
      'corrupt',
      `size of ${shape.length} dimensions with stride of ${strides.length}`,
      where,
      'A tensor has one stride per dimension.',
    );
  }
  if (items.length > 4) {
    if (typeof requiresGrad !== 'boolean')
      throw new WeightsFileError(
        'corrupt',
        `requires_grad ${describePickleValue(requiresGrad)}`,
        where,
        'requires_grad is a bool.',
      );
    expectNoHooks(hooks, where);
  }
  if (metadata !== undefined && metadata !== null && !(metadata instanceof PickleDict)) {
    throw new WeightsFileError(
      'corrupt',
      `tensor metadata ${describePickleValue(metadata)}`,
      where,
      'Tensor metadata is a dict.',
    );
  }
  return new TensorRecord(storage, count(offset, 'storage offset', where), shape, strides, where);
}

/** `_rebuild_parameter(data, requires_grad, backward_hooks)`: an nn.Parameter is its tensor here. */
function rebuildParameter(args: PickleTuple, where: string): TensorRecord {
  const [data, requiresGrad, hooks] = args.items;
  if (args.items.length !== 3 || !(data instanceof TensorRecord) || typeof requiresGrad !== 'boolean') {
    throw new WeightsFileError(
      'corrupt',
      `a parameter rebuilt from (${args.items.map(describePickleValue).join(', ')})`,
      where,
      'torch rebuilds a parameter from (tensor, requires_grad, hooks).',
    );
  }
  expectNoHooks(hooks, where);
  return data;
}

/** Backward hooks would be functions: a state dict has none (an empty OrderedDict). */
function expectNoHooks(hooks: PickleValue, where: string): void {
  if (!(hooks instanceof PickleDict) || hooks.entries.size !== 0) {
    throw new WeightsFileError(
      'corrupt',
      hooks instanceof PickleDict
        ? `${hooks.entries.size} backward hooks`
        : `backward hooks ${describePickleValue(hooks)}`,
      where,
      'Tensors in a state dict carry no backward hooks (an empty OrderedDict).',
    );
  }
}

/** A non-negative integer (a size, stride or offset) that fits a JavaScript number exactly. */
function count(value: PickleValue | undefined, what: string, where: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'bigint' && value >= 0n) {
    throw new WeightsFileError('too-large', `${what} ${value}`, where, 'Sizes beyond 2^53 cannot be held in memory.');
  }
  throw new WeightsFileError(
    'corrupt',
    `${what} ${value === undefined ? 'missing' : describePickleValue(value)}`,
    where,
    `A ${what} is a non-negative int.`,
  );
}

/** A tuple of counts (a size or a stride). */
function counts(value: PickleValue | undefined, what: string, where: string): number[] {
  if (!(value instanceof PickleTuple)) {
    throw new WeightsFileError(
      'corrupt',
      `${what} ${value === undefined ? 'missing' : describePickleValue(value)}`,
      where,
      `A tensor's ${what} is a tuple of ints.`,
    );
  }
  return value.items.map((item) => count(item, what, where));
}
