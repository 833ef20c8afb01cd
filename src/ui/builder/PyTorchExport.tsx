import { useMemo } from 'react';
import type { Config } from '../../config';
import { PRESETS } from '../../engine/presets';
import { exportPyTorchScript } from '../../engine/export/pytorch';

/** The script for a config, or the sentence saying why there is none. */
export function pytorchScriptFor(config: Config): { script: string } | { error: string } {
  const t = config.training;
  try {
    return {
      script: exportPyTorchScript({
        model: config.model,
        optimizer: t.optimizer,
        schedule: t.schedule,
        batchSize: t.batchSize,
        epochs: t.epochs,
        seed: t.seed,
        trainSubset: t.trainSubset,
        title: config.preset ? PRESETS[config.preset].title : 'A network built in GPU Learn',
      }),
    };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Saves `text` as a file through a temporary link. */
function download(text: string, fileName: string, type: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** "Export as PyTorch": downloads train.py with this model and these training settings. */
export function ExportPyTorchButton({ config, testId = 'export-pytorch' }: { config: Config; testId?: string }) {
  const result = useMemo(() => pytorchScriptFor(config), [config]);
  const error = 'error' in result ? result.error : null;
  return (
    <button
      type="button"
      className="button"
      data-testid={testId}
      disabled={error !== null}
      title={error ?? 'Download train.py: the same network and settings, for PyTorch on your own GPU'}
      onClick={() => {
        if ('script' in result) download(result.script, 'train.py', 'text/x-python');
      }}
    >
      Export as PyTorch
    </button>
  );
}
