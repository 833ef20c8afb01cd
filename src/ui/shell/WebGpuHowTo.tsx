/** Which browsers offer WebGPU and how to switch it on, folded so the banner stays short on phones. */
export function WebGpuHowTo() {
  return (
    <details className="webgpu-howto" data-testid="webgpu-howto">
      <summary>How to get WebGPU</summary>
      <ul>
        <li>
          Use a recent <strong>Chrome</strong> or <strong>Edge</strong> (version 113 or newer) on Windows, macOS or
          ChromeOS, or Chrome 121 or newer on Android.
        </li>
        <li>
          <strong>Safari</strong> 26 on macOS, iOS and iPadOS has it switched on; <strong>Firefox</strong> 141 or newer
          has it on Windows.
        </li>
        <li>
          On Linux, or where it is switched off: open <code>chrome://flags</code>, turn on “Unsafe WebGPU Support” (
          <code>#enable-unsafe-webgpu</code>), restart the browser, and check <code>chrome://gpu</code>.
        </li>
        <li>
          The page must come from <code>https://</code> or from this computer (<code>localhost</code>); an old graphics
          driver can also block it.
        </li>
      </ul>
    </details>
  );
}
