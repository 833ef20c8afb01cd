/**
 * Where the builder puts a new layer, so that adding one does not break a working network:
 * after the selected layer when there is one; otherwise image layers (Conv2D, pooling) go before
 * the first Flatten, where the data is still an image, and every other layer goes before a final
 * Softmax, which must stay last.
 */
import type { LayerKind, LayerSpec } from '../engine/layers';

/** Layers that need an image-shaped input [channels, height, width]. */
export const IMAGE_LAYER_KINDS: readonly LayerKind[] = ['conv2d', 'maxpool', 'avgpool'];

/** The index a new layer of `kind` takes in `layers`; `selected` is the selected layer's index, if any. */
export function insertionIndex(layers: readonly LayerSpec[], kind: LayerKind, selected?: number | null): number {
  if (selected !== undefined && selected !== null && Number.isInteger(selected) && selected >= 0)
    return Math.min(selected + 1, layers.length);
  if (IMAGE_LAYER_KINDS.includes(kind)) {
    const flatten = layers.findIndex((l) => l.kind === 'flatten');
    if (flatten >= 0) return flatten;
  }
  return layers.at(-1)?.kind === 'softmax' ? layers.length - 1 : layers.length;
}

/** The palette's sentence about where the next layer goes. */
export function insertionHint(layers: readonly LayerSpec[], selected: number | null): string {
  if (selected !== null && selected < layers.length)
    return `New layers go after layer ${selected + 1}, the selected one.`;
  const hasFlatten = layers.some((l) => l.kind === 'flatten');
  const endsInSoftmax = layers.at(-1)?.kind === 'softmax';
  if (endsInSoftmax && hasFlatten)
    return 'New layers go before the final Softmax; Conv2D and pooling layers go before Flatten. Select a layer to add after it.';
  if (endsInSoftmax) return 'New layers go before the final Softmax. Select a layer to add after it.';
  if (hasFlatten)
    return 'New layers go to the end; Conv2D and pooling layers go before Flatten. Select a layer to add after it.';
  return 'New layers go to the end of the list. Select a layer to add after it.';
}
