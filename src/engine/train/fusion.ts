/**
 * Every decision about which layer's work is done inside which kernel ("fusion"), in one place:
 * a ReLU done by the dense or conv kernel before it, a dropout folded into the pooling or the
 * dense reduce before it, a max pooling done by the convolution before it, a layer's backward
 * pass done by the next layer's input gradient, the final softmax done by the loss, a flatten
 * that is free. Pure and GPU-free: the kernel choices it depends on come in as plain data, so
 * the plan, the trainer's encoders and the layer-cost panel all read the same records, and the
 * decisions are tested without a GPU.
 */
import type { LayerKind, LayerSpec } from '../layers';

/**
 * Where some of a layer's work runs: its own kernel, no kernel at all (nothing to do), the loss
 * kernel, or the kernel of the layer with this index.
 */
export type WorkPlace = 'own' | 'free' | 'loss' | number;

/** One layer's fusion record. */
export interface LayerFusion {
  index: number;
  kind: LayerKind;
  /** Whose kernel does this layer's forward pass in training. */
  forward: WorkPlace;
  /** Whose kernel does this layer's backward pass (when one is needed at all). */
  backward: WorkPlace;
  /** conv2d and dense: a ReLU that follows is done inside this layer's kernels. */
  fusedRelu?: boolean;
  /**
   * dense with a fused ReLU followed by dropout: the dropout's mask also drops where y = 0, so its
   * backward pass already gives dL/d(pre-activation) and this layer runs no ReLU backward.
   */
  reluBackwardInDropout?: boolean;
  /** dropout right after such a dense layer: its forward pass folds that ReLU into the mask. */
  foldsRelu?: boolean;
  /**
   * dropout right after a max-pooling layer (a flatten between is fine): the pooling's kernels do
   * this layer's work, its forward pass (in training) and its backward pass.
   */
  doneInPool?: boolean;
  /** maxpool: the index of such a dropout after it. */
  foldedDropout?: number;
  /** conv2d running a kernel that can pool: the index of the 2x2, stride-2 max pooling it also does. */
  fusedPool?: number;
  /** dense split along K: the index of the dropout after it that its reduce pass also does in training. */
  fusedDropout?: number;
  /** dense: its input gradient also does the backward pass of layer `layer` before it, gated by `kind`. */
  inputGradGate?: { kind: 'dropout' | 'relu'; layer: number };
  /** Why this layer runs no kernel at all, for display ("fused into the convolution"). */
  aliasReason?: string;
  /** The note the layer-cost panel shows for this layer, if any. */
  note?: string;
}

/**
 * The kernels a layer was given for its shape, as far as fusion depends on them (the trainer
 * picks them; absent means "none of these", which is what the plan alone assumes).
 */
export interface KernelChoice {
  /** conv2d: its forward kernel (conv2d_forward_large) can also do a 2x2, stride-2 max pooling. */
  convForwardCanPool?: boolean;
  /** dense: its forward pass is split along K and summed by matmul's reduce pass, which can also do a dropout. */
  denseForwardReduce?: boolean;
  /** dense that needs dX: its input gradient runs matmul_small, which can gate dX by the layer before's backward. */
  denseInputGradGates?: boolean;
}

export interface FusionPlan {
  layers: LayerFusion[];
  /** Layers with a kernel of their own whose forward pass another layer's kernel does (no forward pass to time). */
  forwardInOtherKernel: ReadonlySet<number>;
  /** Layers whose backward pass (a dropout's, or a dense layer's ReLU's) the next layer's input gradient does. */
  backwardInNextKernel: ReadonlySet<number>;
  /** Notes on work moved between kernels because of the kernel choices, by layer index (before the plan's own notes). */
  kernelNotes: ReadonlyMap<number, string>;
}

/** Layers that run no kernel of their own in any case: a flatten, the softmax, a ReLU after dense or conv. */
function isAlias(f: LayerFusion): boolean {
  return f.aliasReason !== undefined;
}

/** The decisions that need only the model: the plan's, before any kernel is picked. */
function modelFusion(layers: readonly LayerSpec[]): { records: LayerFusion[]; planNotes: Map<number, string> } {
  const records: LayerFusion[] = [];
  const planNotes = new Map<number, string>();
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const f: LayerFusion = { index: i, kind: layer.kind, forward: 'own', backward: 'own' };
    const prev = records[i - 1];
    switch (layer.kind) {
      case 'dense': {
        f.fusedRelu = layers[i + 1]?.kind === 'relu';
        if (f.fusedRelu && layers[i + 2]?.kind === 'dropout') f.reluBackwardInDropout = true;
        break;
      }
      case 'conv2d':
        f.fusedRelu = layers[i + 1]?.kind === 'relu';
        break;
      case 'flatten':
        f.aliasReason = 'Flatten only changes how the same memory is read.';
        break;
      case 'softmax':
        f.aliasReason = 'Softmax is computed inside the loss kernel.';
        break;
      case 'relu':
        if (prev?.fusedRelu)
          f.aliasReason =
            prev.kind === 'dense'
              ? 'Done inside the matrix multiply (fused).'
              : 'Done inside the convolution kernel (fused).';
        break;
      case 'dropout': {
        if (records[i - 2]?.reluBackwardInDropout) {
          f.foldsRelu = true;
          planNotes.set(i, 'Its mask also carries the ReLU before it, so that ReLU needs no backward pass.');
        }
        // The layer that computed this dropout's input, looking past layers that only alias it (flatten).
        const source = records.findLast((r) => !isAlias(r));
        if (source?.kind === 'maxpool') {
          f.doneInPool = true;
          planNotes.set(i, 'Done inside the max pooling before it, forward and backward.');
          source.foldedDropout = i;
        }
        break;
      }
      default:
        break;
    }
    records.push(f);
  }
  return { records, planNotes };
}

/** The next layer after `index` that runs a kernel of its own (past a fused ReLU or a flatten). */
function nextKernelLayer(records: LayerFusion[], index: number): LayerFusion | undefined {
  return records.slice(index + 1).find((r) => !isAlias(r));
}

/** The last layer before `index` that runs a kernel of its own. */
function previousKernelLayer(records: LayerFusion[], index: number): LayerFusion | undefined {
  return records.slice(0, index).findLast((r) => !isAlias(r));
}

/**
 * Decides, for every layer, whose kernel does its forward and backward work. Without `choices`
 * (the plan's view) only the decisions that need no kernel choice are made.
 */
export function decideFusion(
  layers: readonly LayerSpec[],
  choices: ReadonlyMap<number, KernelChoice> = new Map(),
): FusionPlan {
  const { records, planNotes } = modelFusion(layers);
  const forwardInOtherKernel = new Set<number>();
  const backwardInNextKernel = new Set<number>();
  const notes = new Map<number, string>();
  const addNote = (index: number, text: string, planNote?: string) => {
    const before = notes.get(index) ?? planNote;
    notes.set(index, before ? `${before} ${text}` : text);
  };

  // A 2x2, stride-2 max pooling right after a convolution whose forward kernel can pool (a fused
  // ReLU between is fine) is done by that kernel, with a dropout folded into the pooling: the
  // full-size output is never written or read back. The pooling's winners carry the ReLU (none
  // where it zeroed the window), so the convolution's backward pass runs without the ReLU mask.
  for (const f of records) {
    if (f.kind !== 'conv2d' || !choices.get(f.index)?.convForwardCanPool) continue;
    const next = nextKernelLayer(records, f.index);
    const pool = next && layers[next.index];
    if (pool?.kind !== 'maxpool' || pool.size !== 2 || pool.stride !== 2) continue;
    f.fusedPool = next!.index;
    forwardInOtherKernel.add(next!.index);
    const dropout = next!.foldedDropout;
    notes.set(
      f.index,
      `Also does the 2×2 max pooling after it${dropout !== undefined ? ' and the dropout after that' : ''} in the same kernel, so its full-size output is never written.`,
    );
    notes.set(next!.index, 'Its forward pass runs inside the convolution before it; its backward pass is its own.');
    if (dropout !== undefined)
      notes.set(dropout, "Done forward inside the convolution's kernel and backward inside the max pooling's.");
  }

  // A dropout right after a dense layer (a fused ReLU between is fine) whose forward pass is split
  // along K is done, in training, by that layer's reduce pass, with the same mask and values. The
  // dense layer's own output is then never written in training, and nothing reads it: the next
  // layer reads the dropout's output, and the ReLU's backward pass is in the dropout's mask.
  for (const f of records) {
    if (f.kind !== 'dense' || !choices.get(f.index)?.denseForwardReduce) continue;
    const next = nextKernelLayer(records, f.index);
    if (next?.kind !== 'dropout') continue;
    if (f.fusedRelu && !next.foldsRelu) continue;
    f.fusedDropout = next.index;
    forwardInOtherKernel.add(next.index);
    notes.set(f.index, 'In training it also does the dropout after it, in the same pass that adds up its split sums.');
    notes.set(
      next.index,
      `Done forward inside the dense layer's kernel${next.foldsRelu ? '; its mask also carries the ReLU before it, so that ReLU needs no backward pass' : ''}.`,
    );
  }

  // A dense layer whose input gradient runs on matmul_small also does the backward pass of the
  // layer right before it as it writes dX: a dropout's (its mask and 1 / (1 − rate)), or the ReLU
  // fused into a dense layer before (its output > 0). That layer then runs no backward kernel of
  // its own for it.
  for (const f of records) {
    if (f.kind !== 'dense' || !choices.get(f.index)?.denseInputGradGates) continue;
    const prev = previousKernelLayer(records, f.index);
    if (!prev) continue;
    if (prev.kind === 'dropout' && !prev.doneInPool) f.inputGradGate = { kind: 'dropout', layer: prev.index };
    else if (prev.kind === 'dense' && prev.fusedRelu && !prev.reluBackwardInDropout)
      f.inputGradGate = { kind: 'relu', layer: prev.index };
    else continue;
    backwardInNextKernel.add(prev.index);
    const what = prev.kind === 'dropout' ? 'the dropout before it' : 'the ReLU of the layer before it';
    addNote(f.index, `Its input gradient also does the backward pass of ${what}, in the same kernel.`);
    addNote(
      prev.index,
      prev.kind === 'dropout'
        ? "Its backward pass runs inside the next layer's input-gradient kernel."
        : "The backward pass of its ReLU runs inside the next layer's input-gradient kernel.",
      planNotes.get(prev.index),
    );
  }

  for (const f of records) {
    placeWork(f, records);
    const note = f.aliasReason ?? notes.get(f.index) ?? planNotes.get(f.index);
    if (note !== undefined) f.note = note;
  }
  return { layers: records, forwardInOtherKernel, backwardInNextKernel, kernelNotes: notes };
}

/** Fills in `forward` and `backward` from the decisions above. */
function placeWork(f: LayerFusion, records: LayerFusion[]): void {
  const prev = records[f.index - 1];
  switch (f.kind) {
    case 'flatten':
      f.forward = f.backward = 'free';
      return;
    case 'softmax':
      f.forward = f.backward = 'loss';
      return;
    case 'relu': {
      if (!isAlias(f)) return;
      f.forward = prev.index;
      const next = records[f.index + 1];
      const gatedBy = records.find((r) => r.inputGradGate?.kind === 'relu' && r.inputGradGate.layer === prev.index);
      if (prev.reluBackwardInDropout) f.backward = next.index;
      else if (gatedBy) f.backward = gatedBy.index;
      // A pooling done in the convolution's kernel keeps only winners the ReLU let through.
      else if (prev.fusedPool !== undefined) f.backward = prev.fusedPool;
      else f.backward = prev.index;
      return;
    }
    case 'maxpool': {
      const conv = records.find((r) => r.fusedPool === f.index);
      if (conv) f.forward = conv.index;
      return;
    }
    case 'dropout': {
      const pool = records.find((r) => r.foldedDropout === f.index);
      const dense = records.find((r) => r.fusedDropout === f.index);
      const gatedBy = records.find((r) => r.inputGradGate?.kind === 'dropout' && r.inputGradGate.layer === f.index);
      if (pool) {
        f.forward = pool.forward === 'own' ? pool.index : pool.forward;
        f.backward = pool.index;
      } else if (dense) {
        f.forward = dense.index;
      }
      if (gatedBy) f.backward = gatedBy.index;
      return;
    }
    default:
      return;
  }
}
